"""The entry script and the page guard: who gets in, which pages each role can reach, and what a
visitor without a valid session sees (the signed-out message and nothing of any page)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from ledpro_journal.models import (
    Audience,
    CohortMembership,
    Document,
    DocumentKind,
    Role,
)
from ledpro_journal.services import accounts, programme, sharing
from tests.app.builders import (
    ADMIN_PAGES,
    ALL_PAGES,
    PAGE_TITLES,
    assert_no_exception,
    assert_signed_out,
    entry_app,
    has_sign_out_link,
    nb,
    page_app,
    pages_for,
    registered_pages,
    run,
    titles,
    visible_text,
    write,
)
from tests.helpers import make_admin, make_cohort, make_member

# What each role's navigation holds, as navigation.py says.
REGISTERED = {role: pages_for(Role(role)) for role in ("admin", "participant", "facilitator")}
# The pages of the other roles: run directly, each says "Ingen tilgang".
NOT_FOR = {role: [page for page in ALL_PAGES if page not in pages] for role, pages in REGISTERED.items()}
# What each journal page shows a participant who has written nothing (write.py without ?id= says not found).
JOURNAL_TITLES = {
    "pages/challenge.py": [nb("nav.challenge")],
    "pages/actions.py": [nb("nav.actions")],
    "pages/notes.py": [nb("nav.notes")],
    "pages/bin.py": [nb("nav.bin")],
    "pages/write.py": [],
}
# The participant's journal pages: the ones above.
JOURNAL_PAGES = list(JOURNAL_TITLES)
# Sharing: the group page for participants, the facilitators' page, and the shared reader for both.
SHARING_PAGES = ("pages/group.py", "pages/facilitator.py", "pages/shared.py")


@pytest.fixture
def people(dbs):
    admin = make_admin(dbs)
    cohort = make_cohort(dbs, admin)
    participant = make_member(dbs, admin, cohort.id, "pia", name="Pia Deltaker")
    facilitator = make_member(dbs, admin, cohort.id, "frode", role=Role.FACILITATOR, name="Frode Faglærer")
    return {"admin": admin, "participant": participant, "facilitator": facilitator, "cohort": cohort}


def test_anonymous_visitor_sees_only_the_signed_out_message(people):
    at = run(entry_app())
    assert_signed_out(at, *PAGE_TITLES.values(), nb("nav.sign_out"), people["cohort"].name)
    assert registered_pages(at) == set()
    with pytest.raises(ValueError):
        at.switch_page("pages/home.py")


def test_admin_navigation_holds_every_page(people, browser):
    browser.sign_in(people["admin"])
    at = run(entry_app())
    assert registered_pages(at) == REGISTERED["admin"]
    assert registered_pages(at) == set(ALL_PAGES) - set(NOT_FOR["admin"])
    assert titles(at) == [nb("home.title", name="Ada Admin")]
    assert [c.value for c in at.sidebar.caption] == [nb("nav.signed_in_as", name="Ada Admin", role=nb("role.admin"))]
    assert has_sign_out_link(at)
    for page in ADMIN_PAGES:
        at.switch_page(page)
        run(at)
        assert titles(at) == [PAGE_TITLES[page]]


@pytest.mark.parametrize("role", ["participant", "facilitator"])
def test_participant_and_facilitator_navigation_has_no_admin_pages(people, browser, role):
    browser.sign_in(people[role])
    at = run(entry_app())
    assert registered_pages(at) == REGISTERED[role]
    assert titles(at) == [nb("home.title", name=people[role].display_name)]
    for page in NOT_FOR[role]:
        with pytest.raises(ValueError):
            at.switch_page(page)
    at.switch_page("pages/account.py")
    run(at)
    assert titles(at) == [nb("account.title")]


def test_admin_cannot_navigate_to_journal_or_sharing_pages(people, browser):
    browser.sign_in(people["admin"])
    at = run(entry_app())
    for page in NOT_FOR["admin"]:
        with pytest.raises(ValueError):
            at.switch_page(page)


@pytest.mark.parametrize("page", JOURNAL_PAGES)
def test_participant_reaches_every_journal_page(people, browser, page):
    browser.sign_in(people["participant"])
    at = run(entry_app())
    at.switch_page(page)
    run(at)
    assert titles(at) == JOURNAL_TITLES[page]
    if page == "pages/write.py":
        assert [w.value for w in at.warning] == [nb("error.not_found")]


def test_deactivated_user_is_signed_out_at_the_next_run(people, browser, dbs):
    browser.sign_in(people["participant"])
    at = run(entry_app())
    assert titles(at) == [nb("home.title", name="Pia Deltaker")]

    accounts.set_user_active(people["admin"], session=dbs, user_id=people["participant"].id, active=False)
    dbs.commit()
    run(at)
    assert_signed_out(at, "Pia Deltaker", people["cohort"].name, nb("home.programme"))


def test_revoked_session_is_signed_out_at_the_next_run(people, browser, dbs):
    token = browser.sign_in(people["facilitator"])
    at = run(entry_app())
    at.switch_page("pages/account.py")
    run(at)
    assert titles(at) == [nb("account.title")]

    accounts.end_session(dbs, token)
    dbs.commit()
    run(at)
    assert_signed_out(at, nb("account.title"), nb("account.password_title"), "Frode Faglærer")


def test_unknown_token_is_signed_out(people, browser):
    browser.token = "not-a-session-the-server-knows"
    at = run(entry_app())
    assert_signed_out(at, *PAGE_TITLES.values())


@pytest.mark.parametrize("page", ALL_PAGES)
def test_page_file_run_directly_by_an_anonymous_visitor_shows_nothing_of_the_page(people, page):
    at = run(page_app(page))
    assert_signed_out(
        at, PAGE_TITLES[page], nb("account.password_title"), nb("home.admin_lead"), nb("cohort.new"),
        nb("invite.new"), nb("user.lead"), nb("group.title"), people["cohort"].name,
        nb("group_page.back"), nb("group_page.tab.new"), nb("facilitator_page.tab.activity"),
        nb("error.not_found"),
    )
    assert not at.page_link and not at.expander and not at.warning


def test_shared_page_run_directly_by_an_anonymous_visitor_with_a_share_id_shows_nothing(people, dbs):
    """Even with ?share= of a real share: the signed-out message, and none of its text."""
    group = programme.create_group(people["admin"], session=dbs, cohort_id=people["cohort"].id, name="Gruppe Nord")
    dbs.commit()
    programme.move_to_group(people["admin"], session=dbs, membership_id=_membership_id(dbs, people["participant"]),
                            group_id=group.id)
    dbs.commit()
    note = write(dbs, people["participant"], DocumentKind.NOTE,
                 {"title": "Delt tittel", "description": "Delt hemmelighet"})
    shared = sharing.share_document(people["participant"], session=dbs, document_id=note.id, audience=Audience.GROUP)
    dbs.commit()
    at = page_app("pages/shared.py")
    at.query_params["share"] = str(shared.share_id)
    run(at)
    assert_signed_out(at, "Delt tittel", "Delt hemmelighet", "Pia Deltaker", nb("group_page.back"))
    assert not at.page_link


def _membership_id(dbs, user) -> int:
    return dbs.exec(select(CohortMembership.id).where(CohortMembership.user_id == user.id)).one()


@pytest.mark.parametrize(
    ("role", "page"), [(role, page) for role in ("admin", "participant", "facilitator") for page in NOT_FOR[role]
                       if page in SHARING_PAGES],
)
def test_sharing_page_run_directly_by_the_wrong_role_says_no_access(people, browser, dbs, role, page):
    browser.sign_in(people[role])
    at = page_app(page)
    at.query_params["share"] = "1"
    run(at)
    assert titles(at) == [nb("error.no_access_title")]
    assert [w.value for w in at.warning] == [nb("error.not_allowed")]
    assert not at.form and not at.text_input and not at.text_area and not at.selectbox and not at.button
    assert not at.page_link and not at.tabs and not at.dataframe and not at.expander
    text = visible_text(at)
    assert PAGE_TITLES[page] not in text
    assert people["cohort"].name not in text
    assert "Pia Deltaker" not in text


@pytest.mark.parametrize(("role", "page", "title"), [
    ("participant", "pages/group.py", nb("nav.group")),
    ("facilitator", "pages/facilitator.py", nb("nav.facilitator")),
])
def test_sharing_pages_open_from_the_navigation_for_their_role(people, browser, role, page, title):
    browser.sign_in(people[role])
    at = run(entry_app())
    at.switch_page(page)
    run(at)
    assert titles(at) == [title]
    if role == "participant":  # Pia is in no group yet
        assert [i.value for i in at.info] == [nb("group_page.no_group")]
        assert not at.tabs


@pytest.mark.parametrize("role", ["participant", "facilitator"])
def test_shared_page_without_a_share_id_says_not_found(people, browser, role):
    browser.sign_in(people[role])
    at = run(entry_app())
    at.switch_page("pages/shared.py")
    run(at)
    assert [w.value for w in at.warning] == [nb("error.not_found")]
    assert not at.form and not at.text_area and not at.header


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_page_run_directly_by_a_participant_says_no_access(people, browser, page):
    browser.sign_in(people["participant"])
    at = run(page_app(page))
    assert titles(at) == [nb("error.no_access_title")]
    assert [w.value for w in at.warning] == [nb("error.not_allowed")]
    assert not at.form and not at.text_input and not at.selectbox and not at.dataframe and not at.button
    text = visible_text(at)
    assert PAGE_TITLES[page] not in text
    assert people["cohort"].name not in text
    assert "Pia Deltaker" not in text


@pytest.mark.parametrize("role", ["admin", "facilitator"])
@pytest.mark.parametrize("page", JOURNAL_PAGES)
def test_journal_page_run_directly_by_an_admin_or_facilitator_says_no_access(people, browser, dbs, role, page):
    browser.sign_in(people[role])
    at = run(page_app(page))
    assert titles(at) == [nb("error.no_access_title")]
    assert [w.value for w in at.warning] == [nb("error.not_allowed")]
    assert not at.form and not at.text_input and not at.text_area and not at.selectbox and not at.button
    assert not at.page_link
    text = visible_text(at)
    assert PAGE_TITLES[page] not in text
    assert people["cohort"].name not in text
    # Nothing was created on their behalf (the challenge page creates one for a participant).
    assert dbs.exec(select(Document)).all() == []


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_page_run_directly_by_a_facilitator_says_no_access(people, browser, page):
    browser.sign_in(people["facilitator"])
    at = run(page_app(page))
    assert_no_exception(at)
    assert titles(at) == [nb("error.no_access_title")]
    assert not at.form and not at.dataframe and not at.button


def test_navigation_stays_role_based_on_every_rerun(people, browser):
    browser.sign_in(people["participant"])
    at = run(entry_app())
    for _ in range(2):
        run(at)
        assert registered_pages(at) == REGISTERED["participant"]
    at.switch_page("pages/account.py")
    run(at)
    assert registered_pages(at) == REGISTERED["participant"]
    assert [c.value for c in at.sidebar.caption] == [
        nb("nav.signed_in_as", name="Pia Deltaker", role=nb("role.participant"))
    ]
    assert has_sign_out_link(at)


def test_a_change_is_confirmed_after_the_rerun(people, browser):
    browser.sign_in(people["admin"])
    at = run(entry_app())
    at.switch_page("pages/admin_groups.py")
    run(at)
    new = next(f for f in at.form if f.proto.form.form_id.startswith("new_group_"))
    new.text_input[0].input("Gruppe *Nord*")
    new.form_submit_button[0].click()
    run(at)
    # The confirmation shows once, with the user's text made inert for Markdown.
    assert [t.value for t in at.toast] == [nb("group.added", name=r"Gruppe \*Nord\*")]
    run(at)
    assert not at.toast
