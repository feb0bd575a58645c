"""Min konto → Aktivitet på kontoen min: the person's own events, newest first, in their language, a page at a
time; never what they wrote, never anyone else's events."""

from __future__ import annotations

from datetime import timedelta

from ledpro_journal.models import Audience, DocumentKind, utcnow
from ledpro_journal.services import accounts, audit, journal, sharing
from ledpro_journal.ui.text import plain
from tests.app.builders import click, en, nb, open_page, run, visible_text, write

SECRET = "Tyttebærsyltetøy"


def section_text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_my_acts_are_listed_in_my_language_without_what_i_wrote(dbs, writers, groups, browser):
    note = write(dbs, groups.pia, DocumentKind.NOTE, {"title": f"Om {SECRET}", "free_text": f"{SECRET} i teksten"})
    version = sharing.share_document(groups.pia, session=dbs, document_id=note.id, audience=Audience.GROUP)
    sharing.add_comment(groups.ola, session=dbs, shared_version_id=version.id, text=f"Kommentar om {SECRET}")
    sharing.withdraw_share(groups.pia, session=dbs, share_id=version.share_id)
    journal.delete_document(groups.pia, session=dbs, document_id=note.id)
    audit.record(dbs, actor=groups.pia, kind="signin.new_place", subject=groups.pia, browser="Firefox",
                 system="Windows", network="10.1.2.x")
    dbs.commit()

    browser.sign_in(groups.pia)
    at = open_page("pages/account.py")
    assert nb("audit.mine.title") in [s.value for s in at.subheader]
    shown = section_text(at)
    lines = [line for line in shown.splitlines() if line.startswith("| ") and nb("audit.column.when") not in line]
    # Newest first: the new sign-in, the bin, the withdrawal, the share, then the administrator placing her.
    assert [line.split(" | ")[1].rstrip(" |") for line in lines] == [
        plain(nb("audit.mine.signin.new_place", browser="Firefox", system="Windows", network="10.1.2.x")),
        nb("audit.mine.document.deleted", what=nb("audit.what.note")),
        nb("audit.mine.share.withdrawn", audience=nb("audit.audience.group")),
        nb("audit.mine.share.created", what=nb("audit.what.note"), audience=nb("audit.audience.group")),
        nb("audit.mine.admin.member.moved", group="Gruppe Nord"),
    ]
    assert "Du delte et refleksjonsnotat med refleksjonsgruppa" in shown
    assert SECRET not in visible_text(at)

    # Ola commented on Pia's note: none of Pia's events are his.
    browser.sign_in(groups.ola)
    at = open_page("pages/account.py")
    assert [line for line in section_text(at).splitlines() if nb("audit.what.note") in line] == []


def test_an_english_reader_reads_english(dbs, writers, browser):
    accounts.update_profile(writers.pia, session=dbs, display_name="Pia Deltaker", candidate_number="",
                            language="en", part=None)
    audit.record(dbs, actor=writers.pia, kind="export.downloaded", subject=writers.pia, count=3)
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_page("pages/account.py")
    assert en("audit.mine.title") in [s.value for s in at.subheader]
    assert plain(en("audit.mine.export.downloaded")) in section_text(at)


def test_no_events_yet_says_so(dbs, writers, browser):
    browser.sign_in(writers.admin)  # an administrator's own trail: nothing done to their account
    at = open_page("pages/account.py")
    assert nb("audit.mine.none") in [c.value for c in at.caption]


def test_a_long_trail_is_paged(dbs, writers, browser):
    for number in range(audit.PAGE_SIZE + 5):
        event = audit.record(dbs, actor=None, kind="document.purged", subject=writers.pia, count=number)
        event.at = utcnow() - timedelta(minutes=100 - number)
        dbs.add(event)
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_page("pages/account.py")
    newest = plain(nb("audit.mine.document.purged", count=audit.PAGE_SIZE + 4))
    oldest = plain(nb("audit.mine.document.purged", count=0))
    assert newest in section_text(at) and oldest not in section_text(at)
    assert nb("audit.mine.page", page=1, pages=2) in [c.value for c in at.caption]
    click(at, nb("audit.mine.older"))
    assert oldest in section_text(at) and newest not in section_text(at)
    click(at, nb("audit.mine.newer"))
    run(at)
    assert newest in section_text(at)
