"""People and a cohort for the service tests, made through the real services (each test file may add its
own participants)."""

from __future__ import annotations

import pytest

from ledpro_journal.services import programme
from tests.helpers import make_admin, make_cohort


@pytest.fixture
def admin(session):
    return make_admin(session)


@pytest.fixture
def cohort(session, admin):
    return make_cohort(session, admin)


@pytest.fixture
def groups(session, admin, cohort):
    first = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 1")
    second = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 2")
    session.commit()
    return first, second
