"""The PDF diagnostic report and the CSV of the ratings through HTTP, `export_assessment` in every format,
and query budgets of the downloads that do not grow with the data (docs/quality.md F1)."""

import csv
import io
import json
import re
import shutil
import subprocess
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from assessments import actions
from assessments.models import Assessment, FactorAssessment
from evidence.actions import Fields, do_add_evidence
from tests.support.assessments import biggest_and_smallest_versions
from tests.support.cast import Cast, client_for
from tests.support.pdf import pdf_objects

pytestmark = pytest.mark.django_db


def url(assessment: Assessment, rest: str) -> str:
    return f"/assessments/{assessment.public_id}/{rest}"


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (Debian's poppler-utils) is needed; `make test` installs it")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def fill(assessment: Assessment, cast: Cast, *, evidence: int = 1) -> FactorAssessment:
    """Every key factor rated and every question answered, evidence on the first factor, a context note."""
    factors = list(assessment.factors.select_related("key_factor").prefetch_related("answers"))
    for n, factor in enumerate(factors):
        actions.do_save_factor(
            factor,
            by=cast.contributor,
            expected_version=0,
            rating=n % 5,
            justification=f"Justified {factor.key_factor.slug}.",
            answers={a.question_id: "partly" for a in factor.answers.all()},
            comments={a.question_id: f"Comment on {a.question_id}." for a in factor.answers.all()},
        )
    first = factors[0]
    for n in range(evidence):
        do_add_evidence(
            cast.workspace,
            Fields(
                kind="statistic",
                title=f"Residents born abroad {n}",
                value=Decimal("23.5"),
                unit="%",
                reference_year=2024,
                source="City statistics office",
            ),
            by=cast.contributor,
            attach_to=factors[n % len(factors)],
        )
    note = assessment.context_notes.select_related("context_factor").first()
    assessment.refresh_from_db()
    actions.do_save_context(
        assessment,
        by=cast.coordinator,
        expected_version=assessment.lock_version,
        notes={note.context_factor_id: {"effect": "constraint", "competence": "national", "note": "National law."}},
    )
    actions.do_rate_as_partner(first, by=cast.partner, expected_version=0, rating=0, comment="Not felt.")
    return first


def test_the_pdf_is_tagged_has_the_language_and_holds_city_factors_chart_answers_and_evidence(
    cast: Cast, assessment: Assessment, tmp_path: Path
) -> None:
    fill(assessment, cast)
    response = client_for(cast.viewer).get(url(assessment, "report.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="aville-')
    pdf = response.content
    objects = pdf_objects(pdf)
    assert b"/StructTreeRoot" in objects  # tagged
    assert re.search(rb"/Lang \(en\)", objects)  # with the document language
    text = pdf_text(pdf, tmp_path)
    version = assessment.benchmark_version
    assert "Aville" in text
    assert f"Ratings of the key factors: {' '.join(version.title.split())}, round 2026" in text  # the chart's title
    for factor in assessment.factors.select_related("key_factor"):
        assert " ".join(factor.key_factor.title.split()) in text
        assert f"Justified {factor.key_factor.slug}." in text
    assert version.source_publisher in text  # attribution
    assert "Residents born abroad 0" in text  # evidence
    assert "National law." in text  # context note
    assert "Aville Refugee Council" in text  # partner views: the team's report
    answer = assessment.factors.first().answers.select_related("question").first()
    assert " ".join(answer.question.text.split()[:6]) in text
    assert f"Comment on {answer.question_id}." in text


def test_the_published_pdf_for_outside_readers_leaves_out_the_team_parts(
    cast: Cast, assessment: Assessment, tmp_path: Path
) -> None:
    fill(assessment, cast)
    actions.do_submit(assessment, by=cast.coordinator)
    actions.do_set_visibility(assessment, "published", by=cast.coordinator)
    for client in (client_for(None), client_for(cast.other)):
        response = client.get(url(assessment, "report.pdf"))
        assert response.status_code == 200
        text = pdf_text(response.content, tmp_path)
        assert "Aville" in text and "Justified" in text
        assert "Aville Refugee Council" not in text
        assert "Residents born abroad" not in text
        assert "@" not in text


def test_the_csv_holds_every_rating_with_words_suggestion_and_justification(cast: Cast, assessment: Assessment) -> None:
    first = fill(assessment, cast)
    response = client_for(cast.viewer).get(url(assessment, "ratings.csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert not response.content.startswith(b"\xef\xbb\xbf")  # no byte-order mark
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0] == [
        "Key factor",
        "Title",
        "Rating",
        "Rating in words",
        "Suggested rating",
        "Suggested rating in words",
        "Justification",
    ]
    assert len(rows) == 1 + assessment.factors.count()
    row = next(r for r in rows if r[1] == first.key_factor.title)
    first.refresh_from_db()
    level = assessment.benchmark_version.rating_scale.levels.get(value=first.rating)
    assert row[2:4] == [str(first.rating), level.label]
    assert row[4:6] == ["2", "Developing"]  # all "partly" suggests the middle of 0..4
    assert row[6] == first.justification


def test_the_csv_neutralises_formula_injection(cast: Cast, assessment: Assessment) -> None:
    factors = list(assessment.factors.order_by("key_factor__kind", "key_factor__number")[:4])
    for factor, text in zip(factors, ["=1+1", "+SUM(A1)", "-2+3", "@cmd"], strict=True):
        actions.do_save_factor(
            factor, by=cast.contributor, expected_version=0, rating=1, justification=text, answers={}, comments={}
        )
    rows = list(csv.reader(io.StringIO(client_for(cast.viewer).get(url(assessment, "ratings.csv")).text)))
    justifications = [r[6] for r in rows[1:5]]
    assert justifications == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd"]
    assert rows[1][2] == "1"  # numbers stay numbers


# ---- export_assessment in every format ----


def test_export_assessment_writes_every_format_to_a_file(cast: Cast, assessment: Assessment, tmp_path: Path) -> None:
    first = fill(assessment, cast)
    ident = str(assessment.public_id)
    for kind in ("json", "csv", "xlsx", "pdf"):
        target = tmp_path / f"out.{kind}"
        call_command("export_assessment", ident, "--format", kind, "-o", str(target), stdout=StringIO())
        body = target.read_bytes()
        if kind == "json":
            assert json.loads(body)["id"] == ident
        elif kind == "csv":
            assert first.key_factor.title in body.decode("utf-8")
        elif kind == "xlsx":
            book = load_workbook(io.BytesIO(body))
            assert book["Key factors"].max_row == 1 + assessment.factors.count()
        else:
            assert body.startswith(b"%PDF-")
            assert "Aville" in pdf_text(body, tmp_path)


def test_export_assessment_prints_text_formats_and_refuses_binary_ones_to_a_terminal(assessment: Assessment) -> None:
    out = StringIO()
    call_command("export_assessment", str(assessment.public_id), "--format", "csv", stdout=out)
    assert out.getvalue().startswith("Key factor,Title,Rating")
    for kind in ("xlsx", "pdf"):
        with pytest.raises(CommandError, match="binary: write it with -o FILE"):
            call_command("export_assessment", str(assessment.public_id), "--format", kind, stdout=StringIO())


def test_export_assessment_writes_binary_formats_to_a_redirected_output(assessment: Assessment) -> None:
    """`export_assessment <id> --format xlsx > book.xlsx`: the bytes go to the standard output's buffer."""
    for kind, magic in (("xlsx", b"PK\x03\x04"), ("pdf", b"%PDF-")):
        sink = io.BytesIO()
        redirected = io.TextIOWrapper(sink, encoding="utf-8")
        call_command("export_assessment", str(assessment.public_id), "--format", kind, stdout=redirected)
        redirected.flush()
        assert sink.getvalue().startswith(magic)


# ---- query budgets ----


def queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["contributor", "admin"])
def test_download_query_budgets_do_not_grow_with_the_data(cast: Cast, who: str) -> None:
    small, big = biggest_and_smallest_versions()
    client = client_for(getattr(cast, who))
    counts = []
    for version, evidence in ((small, 1), (big, 12)):
        assessment = actions.do_start_assessment(cast.workspace, version, "2026", by=cast.coordinator)
        fill(assessment, cast, evidence=evidence)
        counts.append(
            tuple(queries(client, url(assessment, rest)) for rest in ("workbook.xlsx", "ratings.csv", "report.pdf"))
        )
    assert counts[0] == counts[1]
    assert max(counts[1]) <= 16


def test_every_download_is_in_the_security_log(cast: Cast, assessment: Assessment, caplog) -> None:
    client = client_for(cast.viewer)
    with caplog.at_level("INFO", logger="icb.security"):
        for rest in ("workbook.xlsx", "ratings.csv", "report.pdf"):
            assert client.get(url(assessment, rest)).status_code == 200
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "icb.security"]
    exported = [r for r in records if r["event"] == "assessment.exported"]
    assert [(r["format"], r["via"], r["user"], r["assessment"]) for r in exported] == [
        (kind, "web", cast.viewer.pk, str(assessment.public_id)) for kind in ("xlsx", "csv", "pdf")
    ]


def test_the_team_pdf_holds_the_action_plan_when_there_is_one(
    cast: Cast, assessment: Assessment, tmp_path: Path
) -> None:
    from actionplans.actions import do_start_plan

    fill(assessment, cast)
    actions.do_submit(assessment, by=cast.coordinator)
    client = client_for(cast.viewer)
    assert "Timeline" not in pdf_text(client.get(url(assessment, "report.pdf")).content, tmp_path)
    plan = do_start_plan(assessment, by=cast.coordinator)
    action = plan.actions.order_by("position").first()
    assert action is not None
    text = pdf_text(client.get(url(assessment, "report.pdf")).content, tmp_path)
    assert "Action plan" in text and "Timeline" in text
    assert " ".join(action.title.split()) in text
    # Publishing the assessment does not publish its plan (docs/roles.md, "Action plans").
    actions.do_set_visibility(assessment, "published", by=cast.coordinator)
    outside = pdf_text(client_for(None).get(url(assessment, "report.pdf")).content, tmp_path)
    assert "Timeline" not in outside and "Aville" in outside
