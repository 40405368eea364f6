"""The "Reports and workbooks" rows of docs/roles.md, cell by cell, through HTTP; CSRF on the import."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from assessments.models import Assessment, FactorAssessment
from assessments.workbook import build_workbook
from tests.support.cast import Cast, client_for
from tests.support.roles import LOGIN, N, Y, assert_cell, cells, documented_table, user_for

pytestmark = pytest.mark.django_db

TABLE: dict[str, list[str]] = {
    "download_report_pdf": [LOGIN, Y, Y, Y, Y, N, Y],
    "download_ratings_csv": [LOGIN, Y, Y, Y, Y, N, Y],
    "download_workbook": [LOGIN, Y, Y, Y, Y, N, Y],
    "import_workbook": [LOGIN, N, N, Y, Y, N, N],
    "download_published_report_pdf": [Y, Y, Y, Y, Y, Y, Y],
    "download_published_ratings_csv": [Y, Y, Y, Y, Y, Y, Y],
    "download_published_workbook": [LOGIN, Y, Y, Y, Y, N, Y],
}


def url(assessment: Assessment, rest: str) -> str:
    return f"/assessments/{assessment.public_id}/{rest}"


def published(assessment: Assessment) -> Assessment:
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted", visibility="published")
    return assessment


def download_report_pdf(client: Client, cast: Cast, assessment: Assessment):
    response = client.get(url(assessment, "report.pdf"))
    return response, response.status_code == 200 and response.content.startswith(b"%PDF-")


def download_ratings_csv(client: Client, cast: Cast, assessment: Assessment):
    response = client.get(url(assessment, "ratings.csv"))
    return response, response.status_code == 200 and response.content.startswith(b"Key factor,Title,Rating")


def download_workbook(client: Client, cast: Cast, assessment: Assessment):
    response = client.get(url(assessment, "workbook.xlsx"))
    return response, response.status_code == 200 and response.content.startswith(b"PK\x03\x04")


def import_workbook(client: Client, cast: Cast, assessment: Assessment):
    book = load_workbook(io.BytesIO(build_workbook(assessment)))
    book["Key factors"].cell(row=2, column=4, value="Typed in the workshop.")
    out = io.BytesIO()
    book.save(out)
    response = client.post(url(assessment, "import/"), {"file": SimpleUploadedFile("filled.xlsx", out.getvalue())})
    return response, FactorAssessment.objects.filter(justification="Typed in the workshop.").exists()


def download_published_report_pdf(client: Client, cast: Cast, assessment: Assessment):
    return download_report_pdf(client, cast, published(assessment))


def download_published_ratings_csv(client: Client, cast: Cast, assessment: Assessment):
    return download_ratings_csv(client, cast, published(assessment))


def download_published_workbook(client: Client, cast: Cast, assessment: Assessment):
    return download_workbook(client, cast, published(assessment))


CELLS = cells(TABLE)


@pytest.mark.parametrize(("action", "role", "expected"), CELLS, ids=[f"{a}-{r}" for a, r, _ in CELLS])
def test_role_table_cell(cast: Cast, assessment: Assessment, action: str, role: str, expected: str) -> None:
    response, happened = globals()[action](client_for(user_for(cast, role)), cast, assessment)
    assert_cell(response, happened, expected)


def test_the_import_needs_a_csrf_token(cast: Cast, assessment: Assessment) -> None:
    response, happened = import_workbook(client_for(cast.coordinator, enforce_csrf_checks=True), cast, assessment)
    assert response.status_code == 403
    assert not happened


def test_the_import_page_is_for_editors_only(cast: Cast, assessment: Assessment) -> None:
    for user, status in ((cast.contributor, 200), (cast.coordinator, 200), (cast.viewer, 404), (cast.admin, 404)):
        assert client_for(user).get(url(assessment, "import/")).status_code == status


def test_the_overview_links_each_role_to_its_downloads(cast: Cast, assessment: Assessment) -> None:
    page = client_for(cast.contributor).get(url(assessment, "")).text
    for rest in ("report.pdf", "ratings.csv", "workbook.xlsx", "import/"):
        assert url(assessment, rest) in page
    page = client_for(cast.viewer).get(url(assessment, "")).text
    assert url(assessment, "workbook.xlsx") in page and url(assessment, "import/") not in page
    published(assessment)
    page = client_for(None).get(url(assessment, "")).text
    assert url(assessment, "report.pdf") in page and url(assessment, "ratings.csv") in page
    assert url(assessment, "workbook.xlsx") not in page and url(assessment, "import/") not in page


def test_the_table_is_the_one_in_docs_roles_md() -> None:
    assert documented_table("Reports and workbooks") == TABLE
