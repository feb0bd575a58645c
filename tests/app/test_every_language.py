"""Every page of every role in every language of the registry: it runs, its title is in the user's language,
and no fixed word of another language is left on the screen (a button still in bokmål on a nynorsk screen)."""

from __future__ import annotations

import pytest

from ledpro_journal.i18n import DEFAULT_LANGUAGE, LANGUAGES, language_tag, t
from ledpro_journal.models import DocumentKind, Role
from ledpro_journal.services import literature
from tests.app.builders import entry_app, open_page, open_write, registered_pages, run, visible_text, write
from tests.catalogues import entries
from tests.helpers import make_member


def words_only_in(other: str, lang: str) -> set[str]:
    """The texts without placeholders that `other` writes and `lang` does not: on a `lang` screen, a leak."""
    ours = {text for text in entries(lang).values() if isinstance(text, str)}
    return {
        text for text in entries(other).values()
        if isinstance(text, str) and "{" not in text and text not in ours and len(text) > 3
    }


@pytest.fixture
def world(writers, dbs):
    frode = make_member(dbs, writers.admin, writers.cohort.id, "frode", role=Role.FACILITATOR, name="Frode Faglærer")
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Et notat"})
    write(dbs, writers.pia, DocumentKind.ACTION, {"title": "Samtale med teamet"})
    literature.add_reference(writers.pia, session=dbs, kind="book", reading_list_of=None,
                             data={"authors": [{"family": "Bion", "given": "Wilfred R."}], "year": "1961",
                                   "title": "Experiences in groups", "publisher": "Tavistock"})
    dbs.commit()
    return {"participant": writers.pia, "facilitator": frode, "admin": writers.admin, "note": note}


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_page_of_every_role_speaks_the_users_language(browser, world, dbs, lang):
    leaks = {other: words_only_in(other, lang) for other in LANGUAGES if other != lang}
    seen = []
    for role in ("participant", "facilitator", "admin"):
        user = world[role]
        user.language = lang
        dbs.add(user)
        dbs.commit()
        browser.sign_in(user)
        for page in sorted(registered_pages(run(entry_app()))):
            if page == "pages/write.py":
                at = open_write(open_page("pages/home.py"), world["note"].id)
            else:
                at = open_page(page)
            shown = visible_text(at)
            # The page tells the browser (and screen readers) its language, and shows its own words.
            assert f'"lang": "{language_tag(lang)}"' in shown, (role, page)
            assert t("nav.sign_out", lang) in shown, (role, page)
            for other, words in leaks.items():
                left = sorted(line for line in shown.splitlines() if line in words)
                assert left == [], (role, page, other)
            ours = words_only_in(lang, DEFAULT_LANGUAGE if lang != DEFAULT_LANGUAGE else "en")
            seen.append((role, page, len([line for line in shown.splitlines() if line in ours])))
    assert len(seen) >= 20
    # The check above can see a leak: every screen shows words of its own language that the others write otherwise.
    assert [(role, page) for role, page, own in seen if own == 0] == []
