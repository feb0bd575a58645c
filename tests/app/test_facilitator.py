"""Faglærer: each group's shared notes with unread markers, and per participant counts and dates only,
never private text; a facilitator of another cohort sees nothing of this one."""

from __future__ import annotations

from ledpro_journal.models import Audience, DocumentKind, Role
from tests.app.builders import (
    follow,
    labelled,
    nb,
    on_screen,
    open_page,
    open_shared,
    page_links,
    place,
    run,
    share,
    shared_earlier,
    shared_links,
    shown_texts,
    tab,
    titles,
    write,
)
from tests.helpers import make_cohort, make_member

NOTE, ACTION = DocumentKind.NOTE, DocumentKind.ACTION
FACILITATORS = Audience.FACILITATORS
UNREAD = ":blue[●] "


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
