"""User text that cannot disguise itself, and right-to-left text shown in its own direction (audit issue 9).

Every way people type text in (a form, an autosave, a workbook cell) stores it without the override
characters U+202D and U+202E; the other direction controls, which right-to-left writers use, are kept. The
pages that show user text show it isolated: in an element of its own with `dir="auto"`, or in a `<bdi>`
inside a sentence. Passwords are kept exactly as typed: accounts/tests/test_passwords.py."""

import io
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from actionplans import actions as plan_actions
from actionplans.models import Action
from assessments import actions
from assessments.models import Assessment, FactorAssessment, FactorComment, PartnerRating, QuestionAnswer
from cities.models import Role
from evidence.models import Evidence
from lib.tests.isolation import assert_isolated
from tests.support.assessments import a_version, submitted_assessment
from tests.support.cast import Cast, client_for, join, make_user

pytestmark = pytest.mark.django_db

RLO, LRO = "\u202e", "\u202d"
# Shown with its overrides, DISGUISED starts "invoiceexe.pdf": the override turns "fdp.exe" round.
DISGUISED = f"invoice{RLO}fdp.exe and {LRO}text{RLO}"
PLAIN = "invoicefdp.exe and text"
ARABIC = "تقرير البلدية عن الإدماج"
HEBREW = "דוח העירייה על שילוב מהגרים"
ARABIC_2 = "ملاحظات فريق العمل المحلي"
HEBREW_2 = "הערות הצוות המקומי"
HEBREW_3 = "מקור הנתונים הרשמי"
ARABIC_3 = "مجلس اللاجئين في المدينة"
# Embeddings and isolates, as an editor writes them around a right-to-left phrase: kept as typed.
EMBEDDED = "Plan \u202bנתונים\u202c and \u2067بيانات\u2069 and \u2068x\u2069 \u202aab\u202c"


@pytest.fixture
def assessment(cast: Cast) -> Assessment:
    return actions.do_start_assessment(cast.workspace, a_version(), "2026", by=cast.coordinator)


def a_factor(assessment: Assessment) -> FactorAssessment:
    factor = (
        assessment.factors.filter(answers__isnull=False)
        .select_related("key_factor")
        .order_by("key_factor__kind", "key_factor__number")
        .distinct()
        .first()
    )
    assert factor is not None
    return factor


def factor_url(assessment: Assessment, factor: FactorAssessment, rest: str = "") -> str:
    return f"/assessments/{assessment.public_id}/factors/{factor.key_factor.slug}/{rest}"


def factor_form(factor: FactorAssessment, **values: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"lock_version": factor.lock_version, "rating": "", "justification": ""}
    for answer in factor.answers.select_related("question"):
        data[f"q{answer.question.number}-answer"] = answer.answer
        data[f"q{answer.question.number}-comment"] = answer.comment
    return data | values


def first_number(factor: FactorAssessment) -> int:
    return factor.answers.order_by("question__number").values_list("question__number", flat=True)[0]


# ---- what is stored


def test_a_key_factor_form_post_stores_the_text_without_overrides(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    n = first_number(factor)
    data = factor_form(factor, rating="2", justification=DISGUISED, **{f"q{n}-comment": DISGUISED})
    response = client_for(cast.contributor).post(factor_url(assessment, factor), data)
    assert response.status_code == 302
    factor.refresh_from_db()
    assert factor.justification == PLAIN
    assert QuestionAnswer.objects.get(factor=factor, question__number=n).comment == PLAIN


def test_a_form_that_comes_back_shows_the_text_without_overrides(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    # A rating without a justification is refused: the page shows what was typed, less the overrides.
    n = first_number(factor)
    data = factor_form(factor, rating="2", **{f"q{n}-comment": DISGUISED})
    response = client_for(cast.contributor).post(factor_url(assessment, factor), data)
    assert response.status_code == 400
    assert PLAIN in response.text
    assert RLO not in response.text and LRO not in response.text


def test_a_comment_and_evidence_posted_through_their_forms_are_stored_without_overrides(
    cast: Cast, assessment: Assessment
) -> None:
    factor = a_factor(assessment)
    client = client_for(cast.contributor)
    client.post(factor_url(assessment, factor, "comments/"), {"comment-body": DISGUISED})
    assert FactorComment.objects.get(factor=factor).body == PLAIN
    response = client.post(
        f"/workspaces/{cast.workspace.public_id}/evidence/",
        {"evidence-kind": "other", "evidence-title": DISGUISED, "evidence-url": "https://example.org/report"},
    )
    assert response.status_code == 302
    assert Evidence.objects.get(workspace=cast.workspace).title == PLAIN


def test_the_key_factor_autosave_stores_the_text_without_overrides(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    n = first_number(factor)
    data = factor_form(factor, justification=DISGUISED, save_id=uuid.uuid4(), **{f"q{n}-comment": DISGUISED})
    response = client_for(cast.contributor).post(
        factor_url(assessment, factor, "autosave/"), data, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    factor.refresh_from_db()
    assert factor.justification == PLAIN
    assert QuestionAnswer.objects.get(factor=factor, question__number=n).comment == PLAIN


def test_the_action_autosave_stores_the_text_without_overrides(cast: Cast) -> None:
    submitted = submitted_assessment(cast)
    plan = plan_actions.do_start_plan(submitted, by=cast.coordinator)
    action = plan.actions.order_by("position").first()
    assert action is not None
    data = {
        "lock_version": str(action.lock_version),
        "title": DISGUISED,
        "owner": DISGUISED,
        "description": DISGUISED,
        "status": action.status,
        "save_id": str(uuid.uuid4()),
    }
    response = client_for(cast.contributor).post(f"{action.get_absolute_url()}autosave/", data)
    assert response.status_code == 200, response.content
    action = Action.objects.get(pk=action.pk)
    assert (action.title, action.owner, action.description) == (PLAIN, PLAIN, PLAIN)


def test_a_workbook_import_stores_the_cells_without_overrides(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    client = client_for(cast.contributor)
    book = load_workbook(io.BytesIO(client.get(f"/assessments/{assessment.public_id}/workbook.xlsx").content))
    factors = book["Key factors"]
    slug = factor.key_factor.slug
    row = next(n for n in range(2, factors.max_row + 1) if factors.cell(row=n, column=5).value == slug)
    factors.cell(row=row, column=4, value=DISGUISED)
    answers = book["Answers"]
    number = first_number(factor)
    answer_row = next(
        n for n in range(2, answers.max_row + 1) if answers.cell(row=n, column=6).value == f"{slug}#{number}"
    )
    answers.cell(row=answer_row, column=5, value=DISGUISED)
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("filled.xlsx", out.getvalue(), content_type="application/octet-stream")
    response = client.post(f"/assessments/{assessment.public_id}/import/", {"file": upload})
    assert response.status_code == 302, response.content[-2000:]
    factor.refresh_from_db()
    assert factor.justification == PLAIN
    assert QuestionAnswer.objects.get(factor=factor, question__number=number).comment == PLAIN


def test_embedding_and_isolate_controls_are_kept_as_typed(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    data = factor_form(factor, rating="2", justification=EMBEDDED)
    client_for(cast.contributor).post(factor_url(assessment, factor), data)
    factor.refresh_from_db()
    assert factor.justification == EMBEDDED


# ---- what pages show


def test_the_key_factor_page_isolates_justification_comments_names_and_organisations(
    cast: Cast, assessment: Assessment
) -> None:
    hebrew_partner = make_user("partner@hebrew.example")
    join(cast.workspace, hebrew_partner, Role.PARTNER, by=cast.coordinator, organisation=HEBREW)
    factor = a_factor(assessment)
    n = first_number(factor)
    contributor = client_for(cast.contributor)
    contributor.post(
        factor_url(assessment, factor),
        factor_form(factor, rating="2", justification=ARABIC, **{f"q{n}-comment": HEBREW_2}),
    )
    contributor.post(factor_url(assessment, factor, "comments/"), {"comment-body": ARABIC_2})
    response = client_for(hebrew_partner).post(
        factor_url(assessment, factor, "partner-rating/"),
        {"partner-lock_version": "0", "partner-rating": "1", "partner-comment": HEBREW_3},
    )
    assert response.status_code == 302
    assert PartnerRating.objects.get(factor=factor).organisation == HEBREW
    page = client_for(cast.viewer).get(factor_url(assessment, factor)).text
    assert_isolated(page, ARABIC, at_least=2)  # the city's rating and the partner table's justification
    assert_isolated(page, HEBREW_2)  # the answer's comment, inside "Answer: comment"
    assert_isolated(page, ARABIC_2)  # the discussion
    assert_isolated(page, HEBREW_3)  # a partner's comment
    assert_isolated(page, HEBREW)  # the partner organisation's name
    # The form's text areas and text inputs are written in the text's own direction too.
    editing = contributor.get(factor_url(assessment, factor)).text
    assert_isolated(editing, ARABIC)  # in its text area


def test_the_history_isolates_the_values_and_who_changed_them(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    client = client_for(cast.contributor)
    client.post(factor_url(assessment, factor), factor_form(factor, rating="2", justification=ARABIC))
    page = client.get(f"/assessments/{assessment.public_id}/history/").text
    assert_isolated(page, ARABIC)
    assert_isolated(page, cast.contributor.email)


def test_the_evidence_library_and_item_isolate_titles_descriptions_and_sources(cast: Cast) -> None:
    client = client_for(cast.contributor)
    response = client.post(
        f"/workspaces/{cast.workspace.public_id}/evidence/",
        {
            "evidence-kind": "statistic",
            "evidence-title": ARABIC,
            "evidence-description": HEBREW_2,
            "evidence-value": "12",
            "evidence-unit": "%",
            "evidence-reference_year": "2024",
            "evidence-source": HEBREW_3,
        },
    )
    assert response.status_code == 302
    library = client.get(f"/workspaces/{cast.workspace.public_id}/evidence/").text
    assert_isolated(library, ARABIC)
    assert_isolated(library, HEBREW_3)
    item = client.get(f"/evidence/{Evidence.objects.get(workspace=cast.workspace).public_id}/").text
    assert_isolated(item, HEBREW_2)
    assert_isolated(item, HEBREW_3)


def test_the_plan_and_action_pages_isolate_titles_owners_and_progress(cast: Cast) -> None:
    submitted = submitted_assessment(cast)
    plan = plan_actions.do_start_plan(submitted, by=cast.coordinator)
    action = plan.actions.order_by("position").first()
    assert action is not None
    client = client_for(cast.contributor)
    data = {"lock_version": str(action.lock_version), "title": ARABIC, "owner": HEBREW, "status": action.status}
    data |= {f"kf-{pk}": "on" for pk in action.key_factors.values_list("pk", flat=True)}
    assert client.post(action.get_absolute_url(), data).status_code == 302
    response = client.post(
        f"{action.get_absolute_url()}progress/add/", {"progress-on": "2026-03-01", "progress-text": HEBREW_2}
    )
    assert response.status_code == 302
    page = client.get(f"/assessments/{submitted.public_id}/plan/").text
    assert_isolated(page, ARABIC)
    assert_isolated(page, HEBREW)
    action_page = client_for(cast.viewer).get(action.get_absolute_url()).text
    assert_isolated(action_page, ARABIC)
    assert_isolated(action_page, HEBREW)
    assert_isolated(action_page, HEBREW_2)


def test_the_workspace_page_isolates_member_organisations(cast: Cast) -> None:
    partner = make_user("partner@arabic.example")
    join(cast.workspace, partner, Role.PARTNER, by=cast.coordinator, organisation=ARABIC_3)
    page = client_for(cast.contributor).get(f"/workspaces/{cast.workspace.public_id}/").text
    assert_isolated(page, ARABIC_3)


def test_the_pdf_report_gives_each_block_of_user_text_its_direction(cast: Cast, assessment: Assessment) -> None:
    """WeasyPrint lays out dir="rtl" and dir="ltr" but does not resolve dir="auto": the report's blocks of
    user text carry the direction of their first letter of a strong direction."""
    from pages.report import report_html

    factors = list(
        assessment.factors.filter(answers__isnull=False).select_related("key_factor").order_by("pk").distinct()[:2]
    )
    client = client_for(cast.contributor)
    client.post(factor_url(assessment, factors[0]), factor_form(factors[0], rating="2", justification=ARABIC))
    client.post(factor_url(assessment, factors[1]), factor_form(factors[1], rating="1", justification="12 % in 2024"))
    html = report_html(Assessment.objects.get(pk=assessment.pk), team=True)
    assert f'<dd dir="rtl">{ARABIC}</dd>' in html
    assert '<dd dir="ltr">12 % in 2024</dd>' in html
    response = client.get(f"/assessments/{assessment.public_id}/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
