"""Sharing with the reflection group or the facilitators, as the pages show it: the share panel under
the editor (names replaced by roles in the shared version only), the group page, the shared note with
its versions and comments, the facilitators' page (shared work and counts, never private text), the
new-comments links on the start page and the notes list's "Deling" filter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import select
from streamlit.testing.v1.element_tree import Block

from ledpro_journal.i18n import format_datetime, today_in_oslo
from ledpro_journal.models import (
    Audience,
    CohortMembership,
    Comment,
    Document,
    DocumentKind,
    ReflectionGroup,
    Role,
    Share,
    SharedVersion,
    User,
)
from ledpro_journal.services import journal, programme, sharing
from tests.app.conftest import (
    click,
    errors,
    field,
    follow,
    future_cohort,
    labelled,
    nb,
    open_page,
    open_write,
    page_links,
    run,
    shown_texts,
    titles,
    toasts,
    visible_text,
    write,
)
from tests.helpers import make_cohort, make_member

NOTE, ACTION = DocumentKind.NOTE, DocumentKind.ACTION
GROUP, FACILITATORS = Audience.GROUP, Audience.FACILITATORS
SAVE = nb("action.save")
TITLE = nb("tpl.field.title")
DESCRIPTION = nb("tpl.D1.description")
FEELINGS = nb("tpl.D1.feelings")
UNREAD = ":blue[●] "


# --- people and groups -----------------------------------------------------------------------------------------


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


@pytest.fixture
def groups(dbs, writers) -> Groups:
    return make_groups(dbs, writers.admin, writers.cohort, writers.pia, writers.ola)


# --- doing things through the services (as if done earlier, or in another browser) ------------------------------


def share(dbs, user: User, document_id: int, audience=GROUP, replacements=None) -> SharedVersion:
    version = sharing.share_document(user, session=dbs, document_id=document_id, audience=audience,
                                     replacements=replacements)
    dbs.commit()
    return version


def comment(dbs, user: User, version: SharedVersion, text: str) -> Comment:
    made = sharing.add_comment(user, session=dbs, shared_version_id=version.id, text=text)
    dbs.commit()
    return made


def resave(dbs, user: User, document_id: int, fields: dict[str, str]) -> Document:
    current = journal.get_document(user, session=dbs, document_id=document_id)
    saved = journal.save_document(user, session=dbs, document_id=document_id, base_version=current.version,
                                  fields=fields)
    dbs.commit()
    return saved


# --- reading the screen ----------------------------------------------------------------------------------------------


def share_panel(at):
    """The share panel's expander (its label says whether the document is shared)."""
    matches = [e for e in at.expander if e.label in (nb("share.panel"), nb("share.panel_shared", count=1),
                                                      nb("share.panel_shared", count=2))]
    assert len(matches) == 1, [e.label for e in at.expander]
    return matches[0]


def has_share_panel(at) -> bool:
    return any(e.label.startswith("Del") for e in at.expander)


def shared_links(at) -> list[str]:
    """The labels of the links to shared notes (?share=...)."""
    return [label for label, query in page_links(at) if query.startswith("share=")]


def tab(at, label: str) -> Block:
    matches = [t for t in at.tabs if t.label == label]
    assert len(matches) == 1, [t.label for t in at.tabs]
    return matches[0]


def open_shared(at, share_id, number=None):
    """pages/shared.py?share=ID(&v=N), as a link to it opens it."""
    at.query_params.pop("v", None)
    at.query_params["share"] = str(share_id)
    if number is not None:
        at.query_params["v"] = str(number)
    at.switch_page("pages/shared.py")
    return run(at)


def comment_box(at):
    """The new comment's field (in the comment form; an own comment's edit field has the same label)."""
    [box] = [t for t in at.text_area if t.label == nb("share.comment") and t.form_id.startswith("comment-")]
    return box


def on_screen(at) -> str:
    """Everything shown: texts, labels, and the plain-text bodies of what people wrote."""
    return visible_text(at) + "\n" + "\n".join(shown_texts(at))


def shares(fresh) -> list[Share]:
    return fresh().exec(select(Share).order_by(Share.id)).all()


def versions(fresh, share_id: int) -> list[SharedVersion]:
    return fresh().exec(select(SharedVersion).where(SharedVersion.share_id == share_id)
                        .order_by(SharedVersion.number)).all()


# --- the share panel ----------------------------------------------------------------------------------------------


def test_share_panel_points_out_names_and_shares_with_roles_in_place_of_them(groups, browser, dbs, fresh):
    note = write(dbs, groups.pia, NOTE, {"title": "Møtet i dag", "description": "Kari sa nei til forslaget."})
    browser.sign_in(groups.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    panel = share_panel(at)
    assert panel.label == nb("share.panel")
    assert not panel.proto.expanded
    # The name check: "Kari" is pointed out, with a field for the role to show instead.
    assert [w.value for w in panel.warning] == [nb("share.names_found", count=1)]
    assert "**Kari** :gray[(1×)]" in [m.value for m in panel.markdown]
    [replace] = panel.text_input
    assert replace.label == nb("share.replace_with", name="Kari")
    assert replace.value == ""
    assert replace.proto.placeholder == "person A"
    [audience] = panel.radio
    assert audience.label == nb("share.audience")
    assert audience.options == [nb("share.audience.group"), nb("share.audience.facilitators")]
    assert audience.value == GROUP
    assert [b.label for b in panel.button] == [nb("share.button.group")]
    assert shares(fresh) == []

    replace.input("kollega A")
    click(at, nb("share.button.group"))
    [made] = shares(fresh)
    assert (made.owner_id, made.audience, made.group_id, made.withdrawn_at) == (groups.pia.id, GROUP, groups.nord.id, None)
    [shared] = versions(fresh, made.id)
    assert shared.number == 1 and shared.document_version == 1
    assert shared.fields == {"title": "Møtet i dag", "description": "Kollega A sa nei til forslaget."}
    assert shared.title == "Møtet i dag"
    # The journal keeps what was written.
    assert fresh().get(Document, note.id).fields["description"] == "Kari sa nei til forslaget."
    assert field(at, DESCRIPTION).value == "Kari sa nei til forslaget."
    assert toasts(at) == [nb("share.shared", version=1)]

    # The panel now says where and how current, open, with a link to the shared note.
    panel = share_panel(at)
    assert panel.label == nb("share.panel_shared", count=1)
    assert panel.proto.expanded
    status = nb("share.status.group", version=1, date=format_datetime(shared.shared_at, "nb"))
    assert status in [m.value for m in panel.markdown]
    assert (nb("share.open"), f"share={made.id}") in page_links(at)
    assert nb("share.changed_since") not in visible_text(at)

    # The owner goes on writing: the panel says the shared text is older than the journal's.
    field(at, DESCRIPTION).input("Kari sa nei, men ombestemte seg.")
    click(at, SAVE)
    assert fresh().get(Document, note.id).version == 2
    statuses = [m.value for m in share_panel(at).markdown]
    assert status + "  \n" + nb("share.changed_since") in statuses
    # ... while what the group sees stays as shared.
    assert [v.fields["description"] for v in versions(fresh, made.id)] == ["Kollega A sa nei til forslaget."]

    # Withdrawn: private again, and the panel offers sharing anew.
    click(at, nb("share.withdraw"))
    [made] = shares(fresh)
    assert made.withdrawn_at is not None
    assert toasts(at) == [nb("share.withdrawn")]
    panel = share_panel(at)
    assert panel.label == nb("share.panel")
    assert nb("share.withdraw") not in [b.label for b in at.button]
    assert not any(query.startswith("share=") for _, query in page_links(at))


def test_sharing_again_adds_a_version_and_the_same_version_twice_is_refused(groups, browser, dbs, fresh):
    note = write(dbs, groups.pia, NOTE, {"title": "Uten navn", "description": "ingen navn her."})
    browser.sign_in(groups.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    panel = share_panel(at)
    assert not panel.text_input and not panel.warning
    assert nb("share.no_names") in [c.value for c in panel.caption]
    click(at, nb("share.button.group"))
    [made] = shares(fresh)
    assert len(versions(fresh, made.id)) == 1

    click(at, nb("share.button.group"))
    assert errors(at) == [nb("sharing.already_shared")]
    assert len(versions(fresh, made.id)) == 1
    assert not toasts(at)

    field(at, DESCRIPTION).input("ny tekst.")
    click(at, SAVE)
    click(at, nb("share.button.group"))
    assert toasts(at) == [nb("share.shared", version=2)]
    assert [v.fields["description"] for v in versions(fresh, made.id)] == ["ingen navn her.", "ny tekst."]
    assert not errors(at)


def test_the_suggestion_toggle_fills_in_roles_for_names_left_empty(groups, browser, dbs, fresh):
    note = write(dbs, groups.pia, NOTE, {"title": "Samtalen", "description": "Kari og Per var uenige. Per ga seg."})
    browser.sign_in(groups.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    panel = share_panel(at)
    assert [t.label for t in panel.text_input] == [nb("share.replace_with", name="Per"),
                                                   nb("share.replace_with", name="Kari")]
    labelled(panel.text_input, nb("share.replace_with", name="Kari")).input("leder A")
    labelled(at.toggle, nb("share.use_suggestions")).set_value(True)
    run(at)
    click(at, nb("share.button.group"))
    [made] = shares(fresh)
    [shared] = versions(fresh, made.id)
    # Per (most frequent) gets the first suggestion; Kari what was typed.
    assert shared.fields["description"] == "Leder A og person A var uenige. Person A ga seg."


def test_sharing_with_the_facilitators_only(groups, browser, dbs, fresh):
    note = write(dbs, groups.pia, NOTE, {"title": "Til faglærerne", "description": "bare for dere."})
    browser.sign_in(groups.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    share_panel(at).radio[0].set_value(FACILITATORS)
    run(at)
    assert [b.label for b in share_panel(at).button] == [nb("share.button.facilitators")]
    click(at, nb("share.button.facilitators"))
    [made] = shares(fresh)
    assert made.audience == FACILITATORS
    shared = versions(fresh, made.id)[0]
    status = nb("share.status.facilitators", version=1, date=format_datetime(shared.shared_at, "nb"))
    assert status in [m.value for m in share_panel(at).markdown]


def test_a_participant_without_a_group_cannot_share_with_the_group(writers, browser, dbs, fresh):
    note = write(dbs, writers.pia, NOTE, {"title": "Alene", "description": "ingen gruppe."})
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    click(at, nb("share.button.group"))
    assert errors(at) == [nb("sharing.no_group")]
    assert [e for e in share_panel(at).error] and share_panel(at).proto.expanded
    assert shares(fresh) == []
    assert not toasts(at)
    # The facilitators can still be asked.
    share_panel(at).radio[0].set_value(FACILITATORS)
    run(at)
    click(at, nb("share.button.facilitators"))
    assert [s.audience for s in shares(fresh)] == [FACILITATORS]
    assert not errors(at)


def test_an_unsaved_note_and_a_log_entry_have_no_share_panel(groups, browser, dbs):
    unsaved = journal.create_document(groups.pia, session=dbs, kind=NOTE)
    action = write(dbs, groups.pia, ACTION, {"title": "Min aksjon"})
    log = write(dbs, groups.pia, DocumentKind.LOG, {"title": "Logg"}, parent_id=action.id)
    dbs.commit()
    browser.sign_in(groups.pia)
    at = open_write(open_page("pages/home.py"), unsaved.id)
    assert field(at, TITLE).value == ""
    assert not has_share_panel(at)
    assert nb("share.button.group") not in [b.label for b in at.button]
    open_write(at, log.id)
    assert titles(at) == [nb("journal.kind.log")]
    assert not has_share_panel(at)
    open_write(at, action.id)
    assert has_share_panel(at)


# --- the group page -------------------------------------------------------------------------------------------------


def shared_earlier(dbs, groups) -> dict[str, object]:
    """Pia shares one note with the group and one with the facilitators only and keeps one private;
    Siri (the other group) shares one with hers."""
    pia, siri = groups.pia, groups.siri
    turnus = write(dbs, pia, NOTE, {"title": "Turnusmøtet", "description": "Delt tekst om turnus."})
    to_facilitators = write(dbs, pia, NOTE, {"title": "Bare til faglærerne", "description": "Faglærertekst."})
    private = write(dbs, pia, NOTE, {"title": "Privat dagbok", "description": "Privathemmelighet som ingen ser."})
    sor = write(dbs, siri, NOTE, {"title": "Sørgruppas notat", "description": "Sørtekst."})
    return {
        "turnus": share(dbs, pia, turnus.id),
        "facilitators": share(dbs, pia, to_facilitators.id, FACILITATORS),
        "sor": share(dbs, siri, sor.id),
        "private": private,
        "turnus_note": turnus,
    }


def test_group_page_shows_what_the_group_shared_with_unread_markers_until_opened(groups, browser, dbs):
    made = shared_earlier(dbs, groups)
    turnus = made["turnus"]
    browser.sign_in(groups.ola)
    at = open_page("pages/group.py")
    assert titles(at) == ["Gruppe Nord"]
    assert nb("group_page.members", names="Ola Nordmann, Pia Deltaker") in [c.value for c in at.caption]
    assert [t.label for t in at.tabs] == [nb("group_page.tab.new"), nb("group_page.tab.prepare"),
                                         nb("group_page.tab.my_comments")]
    new = tab(at, nb("group_page.tab.new"))
    links = [(link.value, link.proto.query_string) for link in new.get("page_link")]
    details = " · ".join(["Pia Deltaker", nb("journal.kind.note"), format_datetime(turnus.shared_at, "nb"),
                          nb("share.comment_count", count=0)])
    assert links == [(f"{UNREAD}Turnusmøtet :gray[· {details}]", f"share={turnus.share_id}")]
    text = on_screen(at)
    for hidden in ("Bare til faglærerne", "Privat dagbok", "Privathemmelighet", "Sørgruppas notat",
                   "Siri Sørgruppe", "Delt tekst om turnus"):
        assert hidden not in text
    # Still unread after another run; read once opened.
    run(at)
    assert shared_links(at)[0].startswith(UNREAD)
    open_shared(at, turnus.share_id)
    assert at.header[0].value == "Turnusmøtet"
    follow(at, "pages/group.py")
    run(at)
    assert shared_links(at) == [f"Turnusmøtet :gray[· {details}]"]


def test_the_owner_sees_her_own_share_without_marker_and_the_other_group_sees_nothing_of_it(groups, browser, dbs):
    made = shared_earlier(dbs, groups)
    browser.sign_in(groups.pia)
    at = open_page("pages/group.py")
    [label] = shared_links(at)
    assert label.startswith(f"Turnusmøtet :gray[· {nb('share.you')} · ")
    browser.sign_in(groups.siri)
    at = open_page("pages/group.py")
    assert titles(at) == ["Gruppe Sør"]
    [label] = shared_links(at)
    assert label.startswith(f"Sørgruppas notat :gray[· {nb('share.you')} · ")
    text = on_screen(at)
    for hidden in ("Turnusmøtet", "Bare til faglærerne", "Privat dagbok", "Pia Deltaker"):
        assert hidden not in text
    assert made["turnus"].share_id not in [int(q.split("=")[1]) for _, q in page_links(at) if q.startswith("share=")]


def test_a_participant_without_a_group_is_told_so(writers, browser):
    browser.sign_in(writers.pia)
    at = open_page("pages/group.py")
    assert titles(at) == [nb("nav.group")]
    assert [i.value for i in at.info] == [nb("group_page.no_group")]
    assert not at.tabs and not shared_links(at)


def test_nothing_shared_yet_and_no_gathering_ahead(groups, browser):
    browser.sign_in(groups.ola)
    at = open_page("pages/group.py")
    assert nb("group_page.nothing_new") in [c.value for c in tab(at, nb("group_page.tab.new")).caption]
    assert [c.value for c in tab(at, nb("group_page.tab.prepare")).caption] == [nb("home.no_more_gatherings")]
    assert [c.value for c in tab(at, nb("group_page.tab.my_comments")).caption] == [nb("group_page.no_comments")]


@pytest.fixture
def ahead(dbs, writers):
    """LEDPRO 2027, between gathering 2 (ten days ago) and 3 (in twenty days): Kari and Lise in Gruppe
    Vest, Frida facilitating."""
    cohort, gatherings = future_cohort(dbs, writers.admin, today_in_oslo())
    vest = programme.create_group(writers.admin, session=dbs, cohort_id=cohort.id, name="Gruppe Vest")
    dbs.commit()
    kari = make_member(dbs, writers.admin, cohort.id, "kari", name="Kari Vest", group_id=vest.id)
    lise = make_member(dbs, writers.admin, cohort.id, "lise", name="Lise Vest", group_id=vest.id)
    frida = make_member(dbs, writers.admin, cohort.id, "frida", role=Role.FACILITATOR, name="Frida Faglærer")
    return {"cohort": cohort, "gatherings": gatherings, "group": vest, "kari": kari, "lise": lise, "frida": frida}


def test_prepare_tab_lists_the_periods_shared_notes_with_their_comments(ahead, browser, dbs, fresh):
    kari, lise = ahead["kari"], ahead["lise"]
    now = write(dbs, kari, NOTE, {"title": "Før samling tre", "description": "Periodetekst."})
    old = write(dbs, kari, NOTE, {"title": "Fra forrige periode", "description": "Gammel tekst."})
    this_period = share(dbs, kari, now.id)
    comment(dbs, lise, this_period, "Godt spørsmål til samlingen.")
    earlier = share(dbs, kari, old.id)
    # Shared a month ago: before gathering 2 ended, so neither new nor for gathering 3.
    row = dbs.get(SharedVersion, earlier.id)
    row.shared_at -= timedelta(days=30)
    dbs.add(row)
    dbs.commit()

    browser.sign_in(lise)
    at = open_page("pages/group.py")
    assert titles(at) == ["Gruppe Vest"]
    new = tab(at, nb("group_page.tab.new"))
    assert nb("group_page.since", number=2) in [c.value for c in new.caption]
    assert [link.value.split(" :gray[")[0] for link in new.get("page_link")] == [f"{UNREAD}Før samling tre"]

    prepare = tab(at, nb("group_page.tab.prepare"))
    assert [h.value for h in prepare.subheader] == [nb("group_page.prepare_title", number=3)]
    captions = [c.value for c in prepare.caption]
    assert nb("group_page.prepare_lead", count=1) in captions
    assert "**Før samling tre** — Kari Vest" in [m.value for m in prepare.markdown]
    assert [(link.value, link.proto.query_string) for link in prepare.get("page_link")] == [
        (nb("share.open"), f"share={this_period.share_id}")
    ]
    [made] = fresh().exec(select(Comment)).all()
    assert f"Lise Vest · {format_datetime(made.created_at, 'nb')}" in captions
    assert "Godt spørsmål til samlingen." in shown_texts(at)
    text = on_screen(at)
    assert "Fra forrige periode" not in text and "Gammel tekst." not in text
    # The note's own text is read on its page, not here.
    assert "Periodetekst." not in text


def test_preparing_does_not_mark_the_periods_notes_as_read(ahead, browser, dbs):
    """Listing the period's notes (and their comments) on the group page is not opening them."""
    kari, lise = ahead["kari"], ahead["lise"]
    note = write(dbs, kari, NOTE, {"title": "Uleste ord", "description": "Tekst."})
    shared = share(dbs, kari, note.id)
    comment(dbs, lise, shared, "Et spørsmål.")
    browser.sign_in(lise)
    at = open_page("pages/group.py")
    assert shared_links(at)[0].startswith(UNREAD)
    run(at)
    assert shared_links(at)[0].startswith(UNREAD)
    # Nor do the owner's new comments disappear because she looked at the group page.
    browser.sign_in(kari)
    at = open_page("pages/group.py")
    at.switch_page("pages/home.py")
    run(at)
    assert shared_links(at) == [nb("start.new_comments", count=1, title="Uleste ord")]


def test_my_comments_tab_lists_what_i_wrote_and_hides_withdrawn_titles(groups, browser, dbs):
    made = shared_earlier(dbs, groups)
    comment(dbs, groups.ola, made["turnus"], "Min kommentar til Pia.")
    browser.sign_in(groups.ola)
    at = open_page("pages/group.py")
    mine = tab(at, nb("group_page.tab.my_comments"))
    [stamp] = [c.value for c in mine.caption]
    assert stamp.startswith("Turnusmøtet · ")
    assert "Min kommentar til Pia." in shown_texts(at)

    sharing.withdraw_share(groups.pia, session=dbs, share_id=made["turnus"].share_id)
    dbs.commit()
    run(at)
    mine = tab(at, nb("group_page.tab.my_comments"))
    [stamp] = [c.value for c in mine.caption]
    assert stamp.startswith(nb("group_page.withdrawn_note") + " · ")
    assert "Min kommentar til Pia." in shown_texts(at)
    assert "Turnusmøtet" not in on_screen(at)
    assert not shared_links(at)


# --- the shared note --------------------------------------------------------------------------------------------


def test_shared_note_shows_the_snapshot_and_takes_comments(groups, browser, dbs, fresh):
    note = write(dbs, groups.pia, NOTE, {"title": "Møtet", "description": "Kari sa nei.", "feelings": "Jeg ble\n  usikker."})
    shared = share(dbs, groups.pia, note.id, replacements={"Kari": "leder A"})
    browser.sign_in(groups.ola)
    at = open_shared(open_page("pages/home.py"), shared.share_id)
    assert page_links(at)[0] == (nb("group_page.back"), "")
    assert [h.value for h in at.header] == ["Møtet"]
    assert next(c.value for c in at.caption) == " · ".join([
        nb("share.by", name="Pia Deltaker"), nb("tpl.D1.name"),
        nb("share.shared_at", date=format_datetime(shared.shared_at, "nb")),
    ])
    assert shown_texts(at) == ["Leder A sa nei.", "Jeg ble\n  usikker."]
    assert "Kari" not in on_screen(at)
    assert not at.selectbox  # one shared version only
    assert [h.value for h in at.subheader] == [nb("share.comments_title", count=0)]

    # A comment through the form.
    comment_box(at).input("Hva sa leder A *etterpå*?")
    click(at, nb("share.send_comment"))
    [made] = fresh().exec(select(Comment)).all()
    assert (made.author_id, made.shared_version_id, made.text) == (groups.ola.id, shared.id, "Hva sa leder A *etterpå*?")
    assert toasts(at) == [nb("share.comment_added")]
    assert [h.value for h in at.subheader] == [nb("share.comments_title", count=1)]
    assert f"Ola Nordmann · {format_datetime(made.created_at, 'nb')}" in [c.value for c in at.caption]
    assert "Hva sa leder A *etterpå*?" in shown_texts(at)

    # An empty comment is refused, under the field.
    comment_box(at).input("   ")
    click(at, nb("share.send_comment"))
    assert errors(at) == [nb("field.required")]
    assert len(fresh().exec(select(Comment)).all()) == 1


def test_own_comment_can_be_edited_and_deleted_but_not_someone_elses(groups, browser, dbs, fresh):
    note = write(dbs, groups.pia, NOTE, {"title": "Møtet", "description": "Tekst."})
    shared = share(dbs, groups.pia, note.id)
    theirs = comment(dbs, groups.pia, shared, "Pias egen kommentar.")
    mine = comment(dbs, groups.ola, shared, "Olas første tanke.")
    browser.sign_in(groups.ola)
    at = open_shared(open_page("pages/home.py"), shared.share_id)
    assert shown_texts(at)[-2:] == ["Pias egen kommentar.", "Olas første tanke."]
    # Buttons for Ola's comment only.
    keys = {b.key for b in at.button}
    assert {f"save-comment-{mine.id}", f"delete-comment-{mine.id}"} <= keys
    assert not {f"save-comment-{theirs.id}", f"delete-comment-{theirs.id}"} & keys
    assert [p.proto.popover.label for p in at.get("popover")] == [nb("share.edit_comment")]
    assert not [t for t in at.text_area if t.key == f"edit-comment-{theirs.id}"]

    at.text_area(key=f"edit-comment-{mine.id}").input("Olas andre tanke.")
    at.button(key=f"save-comment-{mine.id}").click()
    run(at)
    edited = fresh().get(Comment, mine.id)
    assert edited.text == "Olas andre tanke." and edited.edited_at is not None
    assert toasts(at) == [nb("share.comment_saved")]
    assert "Olas andre tanke." in shown_texts(at)
    assert any(c.value.startswith("Ola Nordmann · ") and c.value.endswith(" · " + nb("share.edited"))
               for c in at.caption)

    at.button(key=f"delete-comment-{mine.id}").click()
    run(at)
    assert fresh().get(Comment, mine.id) is None
    assert fresh().get(Comment, theirs.id).text == "Pias egen kommentar."
    assert toasts(at) == [nb("share.comment_deleted")]
    assert "Olas andre tanke." not in shown_texts(at)
    assert [h.value for h in at.subheader] == [nb("share.comments_title", count=1)]


def test_earlier_shared_versions_are_chosen_in_the_selectbox(groups, browser, dbs):
    note = write(dbs, groups.pia, NOTE, {"title": "Møtet", "description": "Første delte tekst."})
    first = share(dbs, groups.pia, note.id)
    comment(dbs, groups.ola, first, "Kommentar til den første.")
    resave(dbs, groups.pia, note.id, {"title": "Møtet", "description": "Andre delte tekst."})
    second = share(dbs, groups.pia, note.id)
    browser.sign_in(groups.ola)
    at = open_shared(open_page("pages/home.py"), second.share_id)
    picker = labelled(at.selectbox, nb("share.versions"))
    assert picker.options == [
        nb("share.version_item", number=2, date=format_datetime(second.shared_at, "nb")),
        nb("share.version_item", number=1, date=format_datetime(first.shared_at, "nb")),
    ]
    assert picker.value == 2
    assert "Andre delte tekst." in shown_texts(at)
    assert "Første delte tekst." not in shown_texts(at)
    assert not at.info
    assert [h.value for h in at.subheader] == [nb("share.comments_title", count=0)]

    picker.set_value(1)
    run(at)
    assert at.query_params.get("v") in ("1", ["1"])
    assert [i.value for i in at.info] == [nb("share.older_version")]
    assert "Første delte tekst." in shown_texts(at)
    assert "Andre delte tekst." not in shown_texts(at)
    assert "Kommentar til den første." in shown_texts(at)
    assert labelled(at.selectbox, nb("share.versions")).value == 1

    # ?v= straight from a link.
    at = open_shared(open_page("pages/home.py"), second.share_id, number=1)
    assert "Første delte tekst." in shown_texts(at)


@pytest.mark.parametrize("which", ["other_group", "withdrawn", "facilitators_only", "not_a_number", "missing",
                                   "unknown_version"])
def test_a_share_the_reader_may_not_see_is_not_found(groups, browser, dbs, which):
    made = shared_earlier(dbs, groups)
    if which == "withdrawn":
        sharing.withdraw_share(groups.pia, session=dbs, share_id=made["turnus"].share_id)
        dbs.commit()
    share_id, number = {
        "other_group": (made["sor"].share_id, None),
        "withdrawn": (made["turnus"].share_id, None),
        "facilitators_only": (made["facilitators"].share_id, None),
        "not_a_number": ("abc", None),
        "missing": (9999, None),
        "unknown_version": (made["turnus"].share_id, 7),
    }[which]
    browser.sign_in(groups.ola)
    at = open_shared(open_page("pages/home.py"), share_id, number)
    assert [w.value for w in at.warning] == [nb("error.not_found")]
    assert not at.header and not at.form and not at.text_area and not at.selectbox
    assert not shown_texts(at)
    text = on_screen(at)
    for hidden in ("Turnusmøtet", "Delt tekst om turnus", "Sørgruppas notat", "Sørtekst", "Bare til faglærerne",
                   "Faglærertekst", "Pia Deltaker", "Siri Sørgruppe"):
        assert hidden not in text


def test_the_owner_still_reads_a_withdrawn_share_but_it_takes_no_comments(groups, browser, dbs):
    made = shared_earlier(dbs, groups)
    comment(dbs, groups.ola, made["turnus"], "Før tilbaketrekkingen.")
    sharing.withdraw_share(groups.pia, session=dbs, share_id=made["turnus"].share_id)
    dbs.commit()
    browser.sign_in(groups.pia)
    at = open_shared(open_page("pages/home.py"), made["turnus"].share_id)
    assert [w.value for w in at.warning] == [nb("share.withdrawn_owner")]
    assert "Delt tekst om turnus." in shown_texts(at)
    assert "Før tilbaketrekkingen." in shown_texts(at)
    assert not at.form


def test_shared_page_run_with_a_non_numeric_version_is_not_found(groups, browser, dbs):
    made = shared_earlier(dbs, groups)
    browser.sign_in(groups.ola)
    at = open_page("pages/home.py")
    at.query_params["v"] = "x"
    at.query_params["share"] = str(made["turnus"].share_id)
    at.switch_page("pages/shared.py")
    run(at)
    assert [w.value for w in at.warning] == [nb("error.not_found")]
    assert not shown_texts(at) and not at.header


# --- the facilitators' page --------------------------------------------------------------------------------------------


def test_facilitator_sees_each_groups_shared_notes_and_counts_never_private_text(groups, browser, dbs):
    made = shared_earlier(dbs, groups)
    action = write(dbs, groups.ola, ACTION, {"title": "Olas hemmelige aksjon", "purpose": "Aksjonshemmelighet"})
    write(dbs, groups.ola, DocumentKind.LOG, {"title": "Olas logg", "planned_vs_done": "Logghemmelighet"},
          parent_id=action.id)
    write(dbs, groups.ola, ACTION, {"title": "Olas andre aksjon"})
    # Siri is moved out of every group, and then shares with the facilitators.
    place(dbs, groups.admin, groups.siri, None)
    alone = write(dbs, groups.siri, NOTE, {"title": "Siris spørsmål", "description": "Uten gruppe."})
    alone_shared = share(dbs, groups.siri, alone.id, FACILITATORS)

    browser.sign_in(groups.frode)
    at = open_page("pages/facilitator.py")
    assert titles(at) == [nb("nav.facilitator")]
    assert labelled(at.selectbox, nb("cohort.pick")).options == ["LEDPRO 2024"]
    assert [t.label for t in at.tabs] == [nb("facilitator_page.tab.shared"), nb("facilitator_page.tab.activity")]
    shared_tab = tab(at, nb("facilitator_page.tab.shared"))
    boxes = {e.label: e for e in shared_tab.expander}
    # Siri's group share stays under Gruppe Sør (where it was shared); her later one has no group.
    assert list(boxes) == [
        nb("facilitator_page.group", name="Gruppe Nord", count=2, unread=2),
        nb("facilitator_page.group", name="Gruppe Sør", count=1, unread=1),
        nb("facilitator_page.group", name=nb("group.none"), count=1, unread=1),
    ]
    assert all(box.proto.expanded for box in boxes.values())  # unread: open
    nord = boxes[nb("facilitator_page.group", name="Gruppe Nord", count=2, unread=2)]
    nord_links = {link.proto.query_string: link.value for link in nord.get("page_link")}
    assert set(nord_links) == {f"share={made['turnus'].share_id}", f"share={made['facilitators'].share_id}"}
    assert nord_links[f"share={made['turnus'].share_id}"].startswith(f"{UNREAD}Turnusmøtet :gray[· Pia Deltaker · ")
    facilitators_only = nord_links[f"share={made['facilitators'].share_id}"]
    assert facilitators_only.startswith(f"{UNREAD}Bare til faglærerne :gray[· Pia Deltaker · ")
    assert facilitators_only.endswith(f" · {nb('share.audience.facilitators')}]")
    none_box = boxes[nb("facilitator_page.group", name=nb("group.none"), count=1, unread=1)]
    assert [link.proto.query_string for link in none_box.get("page_link")] == [f"share={alone_shared.share_id}"]

    # Activity: counts and dates only.
    activity = tab(at, nb("facilitator_page.tab.activity"))
    assert [c.value for c in activity.caption] == [nb("facilitator_page.activity_lead")]
    [table] = at.dataframe
    frame = table.value
    column = lambda key: nb(f"facilitator_page.column.{key}")
    assert list(frame.columns) == [column(k) for k in ("name", "group", "planned", "logged", "notes", "last")]
    rows = {row[column("name")]: row for row in frame.to_dict("records")}
    assert set(rows) == {"Pia Deltaker", "Ola Nordmann", "Siri Sørgruppe"}
    counts = lambda name: [rows[name][column(k)] for k in ("group", "planned", "logged", "notes")]
    assert counts("Pia Deltaker") == ["Gruppe Nord", 0, 0, 3]
    assert counts("Ola Nordmann") == ["Gruppe Nord", 2, 1, 0]
    assert counts("Siri Sørgruppe") == ["", 0, 0, 2]

    text = on_screen(at)
    for secret in ("Privat dagbok", "Privathemmelighet", "Olas hemmelige aksjon", "Aksjonshemmelighet", "Olas logg",
                   "Logghemmelighet", "Olas andre aksjon", "Delt tekst om turnus", "Faglærertekst", "Uten gruppe."):
        assert secret not in text

    # Opening one: the back link leads to the facilitators' page, and the marker goes.
    at = open_shared(at, made["facilitators"].share_id)
    assert page_links(at)[0] == (nb("group_page.back"), "")
    assert "Faglærertekst." in shown_texts(at)
    follow(at, "pages/facilitator.py")
    run(at)
    labels = [e.label for e in tab(at, nb("facilitator_page.tab.shared")).expander]
    assert labels[0] == nb("facilitator_page.group", name="Gruppe Nord", count=2, unread=1)


def test_facilitator_of_another_cohort_sees_nothing_of_it(groups, browser, dbs):
    made = shared_earlier(dbs, groups)
    other = make_cohort(dbs, groups.admin, "LEDPRO 2025")
    gunn = make_member(dbs, groups.admin, other.id, "gunn", role=Role.FACILITATOR, name="Gunn Annen")
    browser.sign_in(gunn)
    at = open_page("pages/facilitator.py")
    assert labelled(at.selectbox, nb("cohort.pick")).options == ["LEDPRO 2025"]
    assert [c.value for c in tab(at, nb("facilitator_page.tab.shared")).caption] == [nb("facilitator_page.no_groups")]
    assert [c.value for c in tab(at, nb("facilitator_page.tab.activity")).caption] == [
        nb("facilitator_page.activity_lead"), nb("group.no_participants")
    ]
    assert not at.dataframe and not shared_links(at)
    text = on_screen(at)
    for secret in ("Gruppe Nord", "Gruppe Sør", "Pia Deltaker", "Ola Nordmann", "Siri Sørgruppe", "Turnusmøtet",
                   "Bare til faglærerne", "Sørgruppas notat", "Privat dagbok", "LEDPRO 2024"):
        assert secret not in text
    # Nor by the shared note's address.
    for key in ("turnus", "facilitators", "sor"):
        at = open_shared(at, made[key].share_id)
        assert [w.value for w in at.warning] == [nb("error.not_found")]
        assert not shown_texts(at) and not at.header


# --- the participant's start page ---------------------------------------------------------------------------------------


def test_start_page_points_to_new_comments_until_the_owner_opens_the_note(groups, browser, dbs):
    made = shared_earlier(dbs, groups)
    browser.sign_in(groups.pia)
    at = open_page("pages/home.py")
    assert shared_links(at) == []

    comment(dbs, groups.ola, made["turnus"], "Første kommentar.")
    run(at)
    assert [(label, query) for label, query in page_links(at) if query.startswith("share=")] == [
        (nb("start.new_comments", count=1, title="Turnusmøtet"), f"share={made['turnus'].share_id}")
    ]
    assert shared_links(at) == ["1 nye kommentarer på «Turnusmøtet»"]
    # Her own comments are not news to her.
    comment(dbs, groups.pia, made["turnus"], "Takk!")
    run(at)
    assert shared_links(at) == [nb("start.new_comments", count=1, title="Turnusmøtet")]
    # Looking at the group page is not opening the note.
    at.switch_page("pages/group.py")
    run(at)
    at.switch_page("pages/home.py")
    run(at)
    assert shared_links(at) == [nb("start.new_comments", count=1, title="Turnusmøtet")]

    at = open_shared(at, made["turnus"].share_id)
    assert "Første kommentar." in shown_texts(at)
    follow(at, "pages/home.py")
    run(at)
    assert shared_links(at) == []


# --- the notes list's "Deling" filter -------------------------------------------------------------------------------------


def test_shared_filter_narrows_the_notes_list(groups, browser, dbs):
    made = shared_earlier(dbs, groups)
    withdrawn = write(dbs, groups.pia, NOTE, {"title": "Trukket tilbake", "description": "Tekst."})
    shared = share(dbs, groups.pia, withdrawn.id)
    sharing.withdraw_share(groups.pia, session=dbs, share_id=shared.share_id)
    dbs.commit()
    browser.sign_in(groups.pia)
    at = open_page("pages/notes.py")

    def listed() -> list[str]:
        return sorted(label for label, query in page_links(at) if query.startswith("id="))

    everything = ["Bare til faglærerne", "Privat dagbok", "Trukket tilbake", "Turnusmøtet"]
    assert listed() == everything
    choice = labelled(at.selectbox, nb("journal.filter.shared"))
    assert choice.options == [nb("journal.filter.any"), nb("journal.filter.is_shared"), nb("journal.filter.not_shared")]
    choice.set_value(True)
    run(at)
    assert listed() == ["Bare til faglærerne", "Turnusmøtet"]
    labelled(at.selectbox, nb("journal.filter.shared")).set_value(False)
    run(at)
    assert listed() == ["Privat dagbok", "Trukket tilbake"]
    labelled(at.selectbox, nb("journal.filter.shared")).set_value(None)
    run(at)
    assert listed() == everything
    assert made["private"].title == "Privat dagbok"
