"""Builders and helpers for the AppTest suite, in one place: the app's pages (read from navigation.py),
running the app, reading what is on the screen, and making data through the real services (as if done
earlier, or in another browser). The pytest fixtures are in conftest.py; test files import everything else
from here.

The page list is stated once, in ledpro_journal/ui/navigation.py (PAGES: file, title key, icon, roles);
ALL_PAGES, ADMIN_PAGES, pages_for and PAGE_TITLES below are read from it.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pandas as pd
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from ledpro_journal.i18n import t
from ledpro_journal.models import (
    Audience,
    CohortMembership,
    Comment,
    Document,
    DocumentKind,
    NameReplacement,
    Reference,
    ReflectionGroup,
    Role,
    Share,
    SharedVersion,
    User,
)
from ledpro_journal.services import accounts, journal, literature, name_replacements, programme, sharing
from ledpro_journal.ui import navigation
from tests.helpers import make_member

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "streamlit_app.py"
TIMEOUT = 30


def nb(key: str, **params: object) -> str:
    return t(key, "nb", **params)


def en(key: str, **params: object) -> str:
    return t(key, "en", **params)


# --- the pages, as navigation.py lists them -------------------------------------------------------------------

# Every page file, in the navigation's order.
ALL_PAGES = [path for path, *_ in navigation.PAGES]
# The administrator's pages (Kull og samlinger, Grupper, Invitasjonskoder, Brukere).
ADMIN_PAGES = [path for path, _, _, roles in navigation.PAGES if roles == {Role.ADMIN}]


def pages_for(role: Role) -> set[str]:
    """The page files in this role's navigation (a page for no role in particular is everyone's)."""
    return {path for path, _, _, roles in navigation.PAGES if roles is None or role in roles}


# The title each page shows: its name in the navigation, except the start page (which greets the user by
# name) and the account page. (The group page shows the group's name when there is one; the shared page
# shows the shared note's title, so its entry is the page's name in the navigation.)
PAGE_TITLES = {
    **{path: nb(title) for path, title, *_ in navigation.PAGES},
    "pages/home.py": "Hei,",
    "pages/account.py": nb("account.title"),
}


# --- the browser ------------------------------------------------------------------------------------------------


@dataclass
class Browser:
    """What the browser would hold: the session cookie's token (None when signed out)."""

    session: Session
    token: str | None = None
    tokens: list[str] = dataclasses.field(default_factory=list)

    def sign_in(self, user: User) -> str:
        self.token = self.new_session(user)
        return self.token

    def new_session(self, user: User) -> str:
        """Another browser of the same user, signed in through the real service."""
        token = accounts.start_session(self.session, user)
        self.session.commit()
        self.tokens.append(token)
        return token

    def sign_out(self) -> None:
        self.token = None


# --- running the app --------------------------------------------------------------------------------------------


def entry_app() -> AppTest:
    return AppTest.from_file(ENTRY, default_timeout=TIMEOUT)


def page_app(page: str) -> AppTest:
    """A page file run on its own, as Streamlit serves pages/ files by URL before st.navigation ran."""
    return AppTest.from_file(ROOT / page, default_timeout=TIMEOUT)


def run(at: AppTest) -> AppTest:
    """One run, and never an exception element on screen."""
    at.run()
    assert_no_exception(at)
    return at


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def open_page(page: str) -> AppTest:
    """The app from its entry, navigated to `page` (as clicking it in the sidebar would)."""
    at = run(entry_app())
    if page != "pages/home.py":
        at.switch_page(page)
        run(at)
    return at


def follow(at: AppTest, page: str) -> AppTest:
    """After the script itself switched page (st.switch_page), stay there on the next runs, as the browser
    does (AppTest runs its own current page again otherwise)."""
    at.switch_page(page)
    return at


def open_write(at: AppTest, document_id) -> AppTest:
    """The editor page with ?id=..., as a link to it opens it."""
    at.query_params["id"] = str(document_id)
    at.switch_page("pages/write.py")
    return run(at)


def open_shared(at, share_id, number=None):
    """pages/shared.py?share=ID(&v=N), as a link to it opens it."""
    at.query_params.pop("v", None)
    at.query_params["share"] = str(share_id)
    if number is not None:
        at.query_params["v"] = str(number)
    at.switch_page("pages/shared.py")
    return run(at)


def click(at: AppTest, label: str) -> AppTest:
    labelled(at.button, label).click()
    return run(at)


# --- reading the screen -------------------------------------------------------------------------------------------


def visible_text(at: AppTest) -> str:
    """Every piece of text on the screen (main and sidebar), one per line, for `in` assertions."""
    parts: list[str] = []
    for root in (at.main, at.sidebar):
        for node in root:
            try:
                label = node.label
            except Exception:  # noqa: BLE001 - not every node has a label
                label = None
            if isinstance(label, str) and label:
                parts.append(label)
            if isinstance(node, Block):
                continue
            try:
                value = node.value
            except Exception:  # noqa: BLE001
                continue
            if isinstance(value, str):
                parts.append(value)
            elif isinstance(value, pd.DataFrame):
                parts.extend(str(c) for c in value.columns)
                parts.extend(str(v) for v in value.astype(str).to_numpy().ravel())
    for toast in at.toast:
        parts.append(toast.value)
    return "\n".join(parts)


def titles(at: AppTest) -> list[str]:
    return [title.value for title in at.title]


def toasts(at: AppTest) -> list[str]:
    return [toast.value for toast in at.toast]


def errors(at: AppTest) -> list[str]:
    return [error.value for error in at.error]


def assert_signed_out(at: AppTest, *page_contents: str) -> None:
    """The signed-out message and nothing of the page: no forms, no inputs, none of its texts."""
    assert_no_exception(at)
    assert [info.value for info in at.info] == [nb("auth.not_signed_in")]
    assert titles(at) == ["LEDPRO Journal"]
    assert not at.form and not at.text_input and not at.selectbox and not at.dataframe and not at.tabs
    assert not at.button and not at.metric
    text = visible_text(at)
    for content in page_contents:
        assert content not in text


def form(at: AppTest, form_id: str) -> Block:
    """The st.form with this key."""
    matches = [f for f in at.form if f.proto.form.form_id == form_id]
    assert matches, f"no form {form_id!r} among {[f.proto.form.form_id for f in at.form]}"
    return matches[0]


def labelled(widgets, label: str):
    """The one widget in `widgets` with this label."""
    matches = [w for w in widgets if w.label == label]
    assert len(matches) == 1, f"{len(matches)} widgets labelled {label!r}: {[w.label for w in widgets]}"
    return matches[0]


def tab(at, label: str) -> Block:
    """The one tab with this label."""
    matches = [t for t in at.tabs if t.label == label]
    assert len(matches) == 1, [t.label for t in at.tabs]
    return matches[0]


def error_after(container, widget_label: str) -> str | None:
    """The error message shown right under the widget with this label (inside `container`), if any."""
    nodes = [n for n in container if not isinstance(n, Block)]
    for index, node in enumerate(nodes):
        if getattr(node, "label", None) == widget_label and node.type != "error":
            following = nodes[index + 1] if index + 1 < len(nodes) else None
            if following is not None and following.type == "error":
                return following.value
            return None
    raise AssertionError(f"no widget labelled {widget_label!r}")


def registered_pages(at: AppTest) -> set[str]:
    """The page files the last run's st.navigation registered, relative to the project.

    AppTest has no public view of st.navigation's pages; `_registered_pages` is what its own
    switch_page() resolves against, so it is exactly the set a user can navigate to.
    """
    return {
        str(Path(info["script_path"]).resolve().relative_to(ROOT))
        for info in at._registered_pages.values()
        if info.get("script_path") and Path(info["script_path"]).resolve() != ENTRY
    }


def has_sign_out_link(at: AppTest) -> bool:
    """The sidebar offers signing out (a link to /auth/signout labelled from the catalogue)."""
    for node in at.sidebar:
        if node.type == "markdown" and "/auth/signout" in node.value and nb("nav.sign_out") in node.value:
            return True
    return False


def field(at: AppTest, label: str):
    """The editor field with this label (the title is a text input, every other field a text area)."""
    return labelled([*at.text_input, *at.text_area], label)


def htmls(at: AppTest) -> list[str]:
    return [node.value for node in at.main if getattr(node, "type", None) == "html"]


_SHOWN_TEXT = re.compile(r'^<div class="ledpro-text" style="white-space: pre-wrap;[^"]*">(.*)</div>$', re.DOTALL)


def shown_texts(at: AppTest) -> list[str]:
    """The user texts shown as plain text (ui.text.show_text: an st.html body, escaped), unescaped again."""
    texts = []
    for body in htmls(at):
        match = _SHOWN_TEXT.match(body)
        if match:
            texts.append(html.unescape(match.group(1)))
    return texts


def on_screen(at) -> str:
    """Everything shown: texts, labels, and the plain-text bodies of what people wrote."""
    return visible_text(at) + "\n" + "\n".join(shown_texts(at))


def page_links(at: AppTest) -> list[tuple[str, str]]:
    """(label, query string) of every st.page_link on the page."""
    return [(link.value, link.proto.query_string) for link in at.page_link]


def shared_links(at) -> list[str]:
    """The labels of the links to shared notes (?share=...)."""
    return [label for label, query in page_links(at) if query.startswith("share=")]


def programme_rows(at: AppTest) -> list[dict[str, str]]:
    """The programme table (a Markdown table) as rows of column -> text, Markdown escapes undone."""
    table = next(m.value for m in at.markdown if m.value.startswith("| "))
    lines = [line.strip("|").split(" | ") for line in table.splitlines()]
    header, rows = [c.strip() for c in lines[0]], lines[2:]
    return [{h: re.sub(r"\\(.)", r"\1", cell.strip()) for h, cell in zip(header, row, strict=False)} for row in rows]


def share_panel(at):
    """The share panel's expander under the editor (its label says whether the document is shared)."""
    matches = [e for e in at.expander if e.label in (nb("share.panel"), nb("share.panel_shared", count=1),
                                                      nb("share.panel_shared", count=2))]
    assert len(matches) == 1, [e.label for e in at.expander]
    return matches[0]


def has_share_panel(at) -> bool:
    return any(e.label.startswith("Del") for e in at.expander)


def comment_box(at):
    """The new comment's field (in the comment form; an own comment's edit field has the same label)."""
    [box] = [t for t in at.text_area if t.label == nb("share.comment") and t.form_id.startswith("comment-")]
    return box


# --- the participant's journal ----------------------------------------------------------------------------------


@dataclass
class Writers:
    """An admin, the LEDPRO 2024 cohort (all its gatherings in the past) and two participants in it."""

    admin: User
    cohort: object
    pia: User
    ola: User


def future_cohort(dbs: Session, admin: User, today, name: str = "LEDPRO 2027"):
    """A cohort whose gatherings 1 and 2 are over and 3 and 4 are ahead: the present period is
    "after gathering 2, before gathering 3", which is 20 days away."""
    cohort = programme.create_cohort(admin, session=dbs, name=name, from_ledpro_2024=False)
    gatherings = [
        programme.add_gathering(admin, session=dbs, cohort_id=cohort.id, number=number,
                                start_date=today + timedelta(days=offset), end_date=today + timedelta(days=offset + 1))
        for number, offset in ((1, -40), (2, -10), (3, 20), (4, 60))
    ]
    dbs.commit()
    return cohort, gatherings


def write(dbs: Session, user: User, kind, fields: dict[str, str] | None = None, **options):
    """A document made and saved once through the service (as if written earlier), committed."""
    create = {k: options.pop(k) for k in ("template", "parent_id", "gathering_id") if k in options}
    document = journal.create_document(user, session=dbs, kind=kind, **create)
    if fields is not None:
        journal.save_document(user, session=dbs, document_id=document.id, base_version=document.version,
                              fields=fields, template=create.get("template"),
                              gathering_id=create.get("gathering_id"), **options)
    dbs.commit()
    return document


def resave(dbs, user: User, document_id: int, fields: dict[str, str]) -> Document:
    current = journal.get_document(user, session=dbs, document_id=document_id)
    saved = journal.save_document(user, session=dbs, document_id=document_id, base_version=current.version,
                                  fields=fields)
    dbs.commit()
    return saved


# --- reflection groups and sharing ----------------------------------------------------------------------------


@dataclass
class Groups:
    """Pia and Ola in Gruppe Nord, Siri in Gruppe Sør, Frode facilitating the cohort."""

    admin: User
    cohort: object
    nord: ReflectionGroup
    sor: ReflectionGroup
    pia: User
    ola: User
    siri: User
    frode: User


def place(dbs, admin: User, user: User, group: ReflectionGroup | None) -> None:
    membership = dbs.exec(select(CohortMembership).where(CohortMembership.user_id == user.id)).one()
    programme.move_to_group(admin, session=dbs, membership_id=membership.id, group_id=group.id if group else None)
    dbs.commit()


def make_groups(dbs, admin: User, cohort, pia: User, ola: User) -> Groups:
    nord = programme.create_group(admin, session=dbs, cohort_id=cohort.id, name="Gruppe Nord")
    sor = programme.create_group(admin, session=dbs, cohort_id=cohort.id, name="Gruppe Sør")
    dbs.commit()
    place(dbs, admin, pia, nord)
    place(dbs, admin, ola, nord)
    siri = make_member(dbs, admin, cohort.id, "siri", name="Siri Sørgruppe", group_id=sor.id)
    frode = make_member(dbs, admin, cohort.id, "frode", role=Role.FACILITATOR, name="Frode Faglærer")
    return Groups(admin, cohort, nord, sor, pia, ola, siri, frode)


def share(dbs, user: User, document_id: int, audience=Audience.GROUP, replacements=None) -> SharedVersion:
    version = sharing.share_document(user, session=dbs, document_id=document_id, audience=audience,
                                     replacements=replacements)
    dbs.commit()
    return version


def comment(dbs, user: User, version: SharedVersion, text: str) -> Comment:
    made = sharing.add_comment(user, session=dbs, shared_version_id=version.id, text=text)
    dbs.commit()
    return made


def shared_earlier(dbs, groups) -> dict[str, object]:
    """Pia shares one note with the group and one with the facilitators only and keeps one private;
    Siri (the other group) shares one with hers."""
    pia, siri = groups.pia, groups.siri
    turnus = write(dbs, pia, DocumentKind.NOTE, {"title": "Turnusmøtet", "description": "Delt tekst om turnus."})
    to_facilitators = write(dbs, pia, DocumentKind.NOTE, {"title": "Bare til faglærerne",
                                                          "description": "Faglærertekst."})
    private = write(dbs, pia, DocumentKind.NOTE, {"title": "Privat dagbok",
                                                  "description": "Privathemmelighet som ingen ser."})
    sor = write(dbs, siri, DocumentKind.NOTE, {"title": "Sørgruppas notat", "description": "Sørtekst."})
    return {
        "turnus": share(dbs, pia, turnus.id),
        "facilitators": share(dbs, pia, to_facilitators.id, Audience.FACILITATORS),
        "sor": share(dbs, siri, sor.id),
        "private": private,
        "turnus_note": turnus,
    }


def shares(fresh) -> list[Share]:
    return fresh().exec(select(Share).order_by(Share.id)).all()


def versions(fresh, share_id: int) -> list[SharedVersion]:
    return fresh().exec(select(SharedVersion).where(SharedVersion.share_id == share_id)
                        .order_by(SharedVersion.number)).all()


# --- name replacements (Navn og anonymisering) ----------------------------------------------------------------


def remember(dbs, user, name: str, replacement: str) -> NameReplacement:
    row = name_replacements.add_replacement(user, session=dbs, name=name, replacement=replacement)
    dbs.commit()
    return row


def stored(fresh, user) -> list[tuple[str, str]]:
    return sorted(fresh().exec(select(NameReplacement.name, NameReplacement.replacement)
                               .where(NameReplacement.owner_id == user.id)).all())


# --- the literature library ----------------------------------------------------------------------------------

BION = {"authors": [{"family": "Bion", "given": "Wilfred R."}], "year": "1961",
        "title": "Experiences in groups and other papers", "publisher": "Tavistock"}
SCHEIN = {"authors": [{"family": "Schein", "given": "Edgar H."}], "year": "2010",
          "title": "Organizational culture and leadership", "edition": "4", "publisher": "Jossey-Bass"}


def add_reference(dbs, user: User, data: dict, reading_list_of: int | None = None, kind: str = "book") -> Reference:
    """A reference in the user's library (or, with reading_list_of, the cohort's reading list), committed."""
    reference = literature.add_reference(user, session=dbs, kind=kind, data=data, reading_list_of=reading_list_of)
    dbs.commit()
    return reference


def every_screen(browser, world) -> Iterator[tuple[str, str, AppTest]]:
    """(role, page, AppTest) for every page in each role's navigation (the `every_role_world` fixture's
    people); the editor with Pia's note."""
    for role in ("participant", "facilitator", "admin"):
        browser.sign_in(world[role])
        for page in sorted(registered_pages(run(entry_app()))):
            if page == "pages/write.py":
                yield role, page, open_write(open_page("pages/home.py"), world["note"].id)
            else:
                yield role, page, open_page(page)
