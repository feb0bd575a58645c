"""Gruppe: what the participant's reflection group has shared, with unread markers until a note is opened
(never another group's, never what was shared with the facilitators only or kept private); the tab for
preparing the next gathering, with the period's shared notes and their comments; the participant's own
comments; no group yet."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from ledpro_journal.i18n import format_datetime, today_in_oslo
from ledpro_journal.models import Comment, DocumentKind, Role, SharedVersion
from ledpro_journal.services import programme, sharing
from tests.app.builders import (
    comment,
    follow,
    future_cohort,
    nb,
    on_screen,
    open_page,
    open_shared,
    page_links,
    run,
    share,
    shared_earlier,
    shared_links,
    shown_texts,
    tab,
    titles,
    write,
)
from tests.helpers import make_member

NOTE = DocumentKind.NOTE
UNREAD = ":blue[●] "


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
