"""The workspace cast plus a submitted self-assessment of city A with priority gaps, built with the real
actions, and its action plan drafted by the coordinator."""

import pytest

from actionplans import actions as plan_actions
from actionplans.models import ActionPlan
from assessments.models import Assessment
from tests.support.assessments import submitted_assessment
from tests.support.cast import Cast


@pytest.fixture
def submitted(cast: Cast) -> Assessment:
    return submitted_assessment(cast)


@pytest.fixture
def plan(cast: Cast, submitted: Assessment) -> ActionPlan:
    return plan_actions.do_start_plan(submitted, by=cast.coordinator)
