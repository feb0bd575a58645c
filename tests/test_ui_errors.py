"""No traceback reaches a user: uncaught errors and failed actions become one plain sentence."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def test_an_uncaught_error_is_logged_and_explained_without_a_traceback(caplog):
    def page():
        from ledpro_journal.ui.errors import handle_script_error

        try:
            raise RuntimeError("database on fire")
        except RuntimeError as exc:
            suppressed = handle_script_error(exc)
        import streamlit as st

        st.session_state["suppressed"] = suppressed

    at = AppTest.from_function(page).run()
    assert at.session_state["suppressed"] is True
    assert [e.value for e in at.error] == [
        "Noe gikk galt hos oss, og ingenting er endret. Prøv igjen om litt. Feilen er logget."
    ]
    assert "database on fire" not in str(at.error[0].value)
    assert "database on fire" in caplog.text


def test_a_failing_action_keeps_a_message_for_the_form_and_logs_the_rest(use_database, sqlite_url, caplog):
    use_database(sqlite_url)

    def page():
        import streamlit as st

        from ledpro_journal.ui.feedback import form_error, run_action

        def explode(_session):
            raise ValueError("secret detail")

        outcome = run_action(explode, errors_key="demo")
        st.session_state["ok"] = outcome.ok
        form_error("demo")

    at = AppTest.from_function(page).run()
    assert at.session_state["ok"] is False
    assert len(at.error) == 1 and "secret detail" not in at.error[0].value
    assert "secret detail" in caplog.text
