"""The workspace cast plus a submitted self-assessment of city A with priority gaps, built with the real
actions, and its action plan drafted by the coordinator."""

import pytest

from actionplans import actions as plan_actions
from actionplans.models import ActionPlan
from assessments import actions
from assessments.models import Assessment, FactorAssessment
from assessments.tests.conftest import a_version
from cities.tests.conftest import Cast, cast, fast_password_hashing, login_url  # noqa: F401 - fixtures

ANSWERS = ["no", "partly", "yes", "dont_know"]


def rate(factor: FactorAssessment, rating: int, *, by, answers: list[str] | None = None) -> None:
    """Saves a rating, answering the factor's guide questions in turn with `answers` (cycled)."""
    cycle = answers or ANSWERS
    rows = list(factor.answers.order_by("question__number"))
    actions.do_save_factor(
        factor,
        by=by,
        expected_version=factor.lock_version,
        rating=rating,
        justification="Rated by the test.",
        answers={row.question_id: cycle[n % len(cycle)] for n, row in enumerate(rows)},
        comments={},
    )


def submitted_assessment(cast: Cast, version=None, *, round: str = "2026", gaps: int = 2) -> Assessment:  # noqa: F811
    """An assessment with `gaps` factors rated below the standard (1 and 0: the 0 is the first gap),
    one at the standard, the rest unrated; submitted by the coordinator."""
    assessment = actions.do_start_assessment(cast.workspace, version or a_version(), round, by=cast.coordinator)
    factors = list(
        assessment.factors.filter(answers__isnull=False).distinct().select_related("key_factor").order_by("pk")
    )
    assert len(factors) > gaps
    for n, factor in enumerate(factors[:gaps]):
        rate(factor, 1 if n == 0 else 0, by=cast.coordinator)
    rate(factors[gaps], 3, by=cast.coordinator, answers=["yes"])
    return actions.do_submit(assessment, by=cast.coordinator)


@pytest.fixture
def submitted(cast: Cast) -> Assessment:  # noqa: F811
    return submitted_assessment(cast)


@pytest.fixture
def plan(cast: Cast, submitted: Assessment) -> ActionPlan:  # noqa: F811
    return plan_actions.do_start_plan(submitted, by=cast.coordinator)
