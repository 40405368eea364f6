"""`./manage.py export_assessment <id> --format json`: everything the team entered, and nobody's name."""

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessments import actions
from assessments.models import Assessment, FactorAssessment
from evidence.actions import Fields, do_add_evidence
from tests.support.cast import Cast

pytestmark = pytest.mark.django_db


def export(*args: str) -> dict:
    out = StringIO()
    call_command("export_assessment", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_export_holds_answers_ratings_partner_ratings_evidence_and_context_notes(
    cast: Cast, assessment: Assessment
) -> None:
    factor = FactorAssessment.objects.filter(assessment=assessment, answers__isnull=False).distinct().first()
    assert factor is not None
    first_question = factor.answers.select_related("question").first()
    assert first_question is not None
    actions.do_save_factor(
        factor,
        by=cast.contributor,
        expected_version=0,
        rating=2,
        justification="A strategy exists but is not funded.",
        answers={first_question.question_id: "partly"},
        comments={first_question.question_id: "Adopted in 2024."},
    )
    actions.do_rate_as_partner(factor, by=cast.partner, expected_version=0, rating=1, comment="Not felt on the ground.")
    do_add_evidence(
        cast.workspace,
        Fields(
            kind="statistic",
            title="Residents born abroad",
            value=Decimal("23.5"),
            unit="%",
            reference_year=2024,
            source="City statistics office",
        ),
        by=cast.contributor,
        attach_to=factor,
    )
    note = assessment.context_notes.select_related("context_factor").first()
    assert note is not None
    n = note.context_factor_id
    actions.do_save_context(
        assessment,
        by=cast.coordinator,
        expected_version=0,
        notes={n: {"effect": "constraint", "competence": "national", "note": "National law decides."}},
    )

    data = export(str(assessment.public_id), "--format", "json")

    assert data["city"] == "Aville"
    assert data["round"] == "2026"
    assert data["status"] == "draft"
    assert len(data["key_factors"]) == assessment.factors.count()
    row = next(f for f in data["key_factors"] if f["key_factor"] == factor.key_factor.slug)
    assert row["rating"]["value"] == 2
    assert row["justification"] == "A strategy exists but is not funded."
    assert len(row["answers"]) == factor.answers.count()
    answered = next(a for a in row["answers"] if a["question"] == first_question.question.number)
    assert (answered["answer"], answered["comment"]) == ("partly", "Adopted in 2024.")
    assert row["partner_ratings"] == [
        {
            "organisation": "Aville Refugee Council",
            "rating": {"value": 1, "label": row["partner_ratings"][0]["rating"]["label"]},
            "comment": "Not felt on the ground.",
            "updated_at": row["partner_ratings"][0]["updated_at"],
        }
    ]
    assert [(e["title"], e["kind"], e["unit"], e["reference_year"]) for e in row["evidence"]] == [
        ("Residents born abroad", "statistic", "%", 2024)
    ]
    context = next(c for c in data["context_notes"] if c["note"])
    assert (context["effect"], context["competence"], context["note"]) == (
        "constraint",
        "national",
        "National law decides.",
    )


def test_the_export_names_no_person(cast: Cast, assessment: Assessment) -> None:
    text = json.dumps(export(str(assessment.public_id)))
    assert "@" not in text
    for user in (cast.coordinator, cast.contributor, cast.partner, cast.viewer):
        assert user.email not in text


def test_the_export_can_go_to_a_file(assessment: Assessment, tmp_path: Path) -> None:
    target = tmp_path / "assessment.json"
    call_command("export_assessment", str(assessment.public_id), "-o", str(target), stdout=StringIO())
    assert json.loads(target.read_text(encoding="utf-8"))["id"] == str(assessment.public_id)


def test_an_unknown_or_malformed_id_is_a_clear_error(assessment: Assessment) -> None:
    with pytest.raises(CommandError, match="is not an assessment id"):
        export("42")
    with pytest.raises(CommandError, match="No assessment has the id"):
        export("00000000-0000-0000-0000-000000000000")


def test_a_deleted_assessment_is_not_exported(cast: Cast, assessment: Assessment) -> None:
    actions.do_delete_assessment(assessment, by=cast.coordinator)
    with pytest.raises(CommandError, match="No assessment has the id"):
        export(str(assessment.public_id))
