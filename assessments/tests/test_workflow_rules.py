"""One rule per step: the buttons the overview shows and what the actions accept come from the same
functions (access.allowed_transitions, can_start_next_round, can_delete_assessment)."""

import ast
from pathlib import Path

import pytest

from assessments import access, actions
from assessments.models import Assessment
from cities.models import Role
from tests.support.cast import Cast, client_for

pytestmark = pytest.mark.django_db

STEPS = {  # status -> the steps a coordinator may take from it
    "draft": ["submitted"],
    "reopened": ["submitted"],
    "submitted": ["reopened", "finalised"],
    "finalised": [],
}
BUTTONS = {
    "submitted": "Submit the assessment",
    "reopened": "Reopen for changes",
    "finalised": "Finalise the assessment",
}


@pytest.mark.parametrize("status", list(STEPS))
@pytest.mark.parametrize("role", [*Role.values, None])
def test_only_coordinators_take_the_steps_their_status_allows(assessment: Assessment, status: str, role: str) -> None:
    assessment.status = status
    expected = STEPS[status] if role == Role.COORDINATOR else []
    assert sorted(access.allowed_transitions(assessment, role)) == sorted(expected)
    assert access.can_start_next_round(assessment, role) == (
        role == Role.COORDINATOR and status in ("submitted", "finalised")
    )
    assert access.can_delete_assessment(assessment, role) == (role == Role.COORDINATOR and status != "finalised")


@pytest.mark.parametrize("status", list(STEPS))
def test_the_overview_shows_exactly_the_allowed_steps(cast: Cast, assessment: Assessment, status: str) -> None:
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    page = client_for(cast.coordinator).get(assessment.get_absolute_url()).content.decode()
    for step, button in BUTTONS.items():
        assert (button in page) == (step in STEPS[status]), (status, step)
    assert ("Start the next round" in page) == (status in ("submitted", "finalised"))
    assert ("Delete the assessment</button>" in page) == (status != "finalised")


def test_an_action_refuses_a_step_its_button_would_not_show(cast: Cast, assessment: Assessment) -> None:
    with pytest.raises(actions.AssessmentError):
        actions.do_submit(assessment, by=cast.contributor)  # a contributor sees no Submit button
    with pytest.raises(actions.AssessmentError):
        actions.do_finalise(assessment, by=cast.coordinator)  # a draft shows no Finalise button
    assert actions.do_submit(assessment, by=cast.coordinator).status == "submitted"


def test_role_groups_are_written_once_beside_role() -> None:
    """No module but cities/models.py spells out a group of roles (a tuple, list or set of Role members)."""
    root = Path(__file__).resolve().parents[2]
    spelled = []
    for path in root.glob("*/**/*.py"):
        where = path.relative_to(root)
        if {".venv", "node_modules", "tests", "migrations"} & set(where.parts) or str(where) == "cities/models.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Tuple | ast.List | ast.Set)
                and sum(
                    isinstance(item, ast.Attribute) and getattr(item.value, "id", "") == "Role" for item in node.elts
                )
                >= 2
            ):
                spelled.append(f"{where}:{node.lineno}")
    assert spelled == [], spelled
