"""Every page of every role in every language of the registry: it runs, its title is in the user's language,
and no fixed word of another language is left on the screen (a button still in bokmål on a nynorsk screen)."""

from __future__ import annotations

import pytest

from ledpro_journal.i18n import DEFAULT_LANGUAGE, LANGUAGES, language_tag, t
from tests.app.builders import every_screen, visible_text
from tests.catalogues import entries


def words_only_in(other: str, lang: str) -> set[str]:
    """The texts without placeholders that `other` writes and `lang` does not: on a `lang` screen, a leak."""
    ours = {text for text in entries(lang).values() if isinstance(text, str)}
    return {
        text for text in entries(other).values()
        if isinstance(text, str) and "{" not in text and text not in ours and len(text) > 3
    }


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_page_of_every_role_speaks_the_users_language(browser, every_role_world, dbs, lang):
    leaks = {other: words_only_in(other, lang) for other in LANGUAGES if other != lang}
    ours = words_only_in(lang, DEFAULT_LANGUAGE if lang != DEFAULT_LANGUAGE else "en")
    for role in ("participant", "facilitator", "admin"):
        every_role_world[role].language = lang
        dbs.add(every_role_world[role])
    dbs.commit()
    seen = []
    for role, page, at in every_screen(browser, every_role_world):
        shown = visible_text(at)
        # The page tells the browser (and screen readers) its language, and shows its own words.
        assert f'"lang": "{language_tag(lang)}"' in shown, (role, page)
        assert t("nav.sign_out", lang) in shown, (role, page)
        for other, words in leaks.items():
            left = sorted(line for line in shown.splitlines() if line in words)
            assert left == [], (role, page, other)
        seen.append((role, page, len([line for line in shown.splitlines() if line in ours])))
    assert len(seen) >= 20
    # The check above can see a leak: every screen shows words of its own language that the others write otherwise.
    assert [(role, page) for role, page, own in seen if own == 0] == []
