"""A whole gathering saving at the same moment (issue 10): 60 participants, each in their own thread and
database session, press Lagre together several times over. As the editor does, each save is accompanied
by a draft of the same text. Every save that returned is in the database, with versions 1..n and a
revision per version holding exactly the text saved, no draft is left over, and nobody got an error
("database is locked" on SQLite, or anything else). On SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from collections import defaultdict

from sqlmodel import Session

from ledpro_journal.models import DocumentKind
from ledpro_journal.services import journal
from tests.helpers import make_member

WRITERS = 60
SAVES = 4


def test_sixty_participants_saving_at_the_same_moment_lose_nothing(engine, session, admin, cohort):
    writers = [make_member(session, admin, cohort.id, f"deltaker{number:02d}") for number in range(WRITERS)]
    notes = {w.id: journal.create_document(w, session=session, kind=DocumentKind.NOTE).id for w in writers}
    session.commit()
    start_together = threading.Barrier(WRITERS)
    acknowledged: dict[int, list[tuple[int, str]]] = defaultdict(list)
    failures: list[BaseException] = []

    def write(writer) -> None:
        note_id = notes[writer.id]
        try:
            start_together.wait(timeout=60)
            version = 0
            for paragraph in range(1, SAVES + 1):
                text = f"{writer.username} skriver avsnitt {paragraph} – æøå «sitat»"
                with Session(engine, expire_on_commit=False) as own:
                    journal.save_draft(
                        writer, session=own, document_id=note_id, field="free_text", text=text, base_version=version
                    )
                    own.commit()
                with Session(engine, expire_on_commit=False) as own:
                    saved = journal.save_document(
                        writer, session=own, document_id=note_id, base_version=version, fields={"free_text": text}
                    )
                    own.commit()
                version = saved.version
                acknowledged[note_id].append((version, text))
        except BaseException as error:  # noqa: BLE001 - every failure is reported below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(writer,)) for writer in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "writers still waiting after 3 minutes"
    assert not failures, [repr(error) for error in failures[:5]]

    with Session(engine) as check:
        for writer in writers:
            note_id = notes[writer.id]
            assert [version for version, _ in acknowledged[note_id]] == list(range(1, SAVES + 1))
            note = journal.get_document(writer, session=check, document_id=note_id)
            assert note.version == SAVES
            assert note.fields == {"free_text": acknowledged[note_id][-1][1]}
            revisions = journal.list_revisions(writer, session=check, document_id=note_id)
            assert sorted(revision.version for revision in revisions) == list(range(1, SAVES + 1))
            for version, text in acknowledged[note_id]:
                revision = journal.get_revision(writer, session=check, document_id=note_id, version=version)
                assert revision.fields == {"free_text": text}
            assert journal.drafts_for(writer, session=check, document_id=note_id) is None
