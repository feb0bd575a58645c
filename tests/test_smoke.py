from sqlmodel import select

from ledpro_journal.models import Theme
from tests.helpers import make_admin, make_cohort


def test_migrated_database_holds_a_cohort_from_the_ledpro_2024_template(session):
    admin = make_admin(session)
    cohort = make_cohort(session, admin)
    themes = session.exec(select(Theme).where(Theme.cohort_id == cohort.id)).all()
    assert len(themes) == 4
