"""The workbook round trip in headless Chromium: a contributor downloads the report (a PDF holding the city,
the chart and every key factor) and the XLSX workbook, fills it offline
(openpyxl here, as a spreadsheet would) with one bad row, imports it with the keyboard and sees every
failure named by sheet, row and column with nothing applied; fixes the row and imports it; axe scans each
state, the conflict screen included.
"""

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support.browser import DEMO_SETUP, axe_violations, prepare_server, running_server, signed_in_page, tab_until

pytestmark = pytest.mark.browser


SETUP = (
    DEMO_SETUP
    + """
print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "contributor": session(User.objects.get(email="contributor@demoville.example")),
    "assessment": str(assessment.public_id),
}))
"""
)


@pytest.fixture(scope="module")
def workbook_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[tuple[str, dict]]:
    tmp = tmp_path_factory.mktemp("workbook-server")
    env, people = prepare_server(tmp, f"{worker_id}_workbook", demo=True, setup=SETUP)
    with running_server(tmp, env) as url:
        yield url, people


def choose_file_with_the_keyboard(page, path: Path) -> None:
    """As in test_evidence.py: Space on the focused file control opens the system's dialog, which headless
    Chromium under load does not always report; then the file is set on the focused control."""
    tab_until(page, "el => el.id === 'id_file'")
    try:
        with page.expect_file_chooser(timeout=10_000) as chooser:
            page.keyboard.press("Space")
        chooser.value.set_files(str(path))
    except PlaywrightTimeout:
        assert page.evaluate("document.activeElement.id") == "id_file"
        page.locator("#id_file").set_input_files(str(path))


def import_with_the_keyboard(page, path: Path) -> None:
    choose_file_with_the_keyboard(page, path)
    tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Import the workbook'")
    page.keyboard.press("Enter")


def row_of(sheet, row_id: str, column: int) -> int:
    return next(n for n in range(2, sheet.max_row + 1) if sheet.cell(row=n, column=column).value == row_id)


def test_workbook_round_trip_with_a_bad_row_then_fixed(browser, workbook_server, tmp_path: Path) -> None:
    _url, people = workbook_server
    overview = f"/assessments/{people['assessment']}/"
    context, page = signed_in_page(browser, workbook_server, "contributor")
    try:
        page.goto(overview)
        assert axe_violations(page) == []
        tab_until(page, "el => el.tagName === 'A' && el.getAttribute('href').endsWith('/workbook.xlsx')")
        with page.expect_download() as download:
            page.keyboard.press("Enter")
        downloaded = tmp_path / download.value.suggested_filename
        assert downloaded.name.endswith(".xlsx")
        download.value.save_as(downloaded)

        # Offline: a rating with its justification, one answer, and one answer that is not on the list.
        book = load_workbook(downloaded)
        factors, answers = book["Key factors"], book["Answers"]

        # The diagnostic report opens as a PDF holding the city, the chart and every key factor.
        page.goto(overview)
        tab_until(page, "el => el.tagName === 'A' && el.getAttribute('href').endsWith('/report.pdf')")
        with page.expect_download() as report:
            page.keyboard.press("Enter")
        pdf = tmp_path / "report.pdf"
        report.value.save_as(pdf)
        text = " ".join(
            subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
        )
        readme = book["Read me"]
        benchmark, city, round_ = readme["B1"].value, readme["B2"].value, readme["B3"].value
        assert city in text
        assert " ".join(f"Ratings of the key factors: {benchmark}, round {round_}".split()) in text
        for n in range(2, factors.max_row + 1):
            assert " ".join(factors.cell(row=n, column=2).value.split()) in text
        page.goto(overview)

        slug = factors.cell(row=2, column=5).value
        title = factors.cell(row=2, column=2).value
        factors.cell(row=2, column=3, value="3 – Established")
        factors.cell(row=2, column=4, value="Agreed in the spring workshop.")
        first, second = [
            n for n in range(2, answers.max_row + 1) if answers.cell(row=n, column=6).value.startswith(f"{slug}#")
        ][:2]
        answers.cell(row=first, column=4, value="Yes")
        answers.cell(row=first, column=5, value="The office runs it citywide.")
        answers.cell(row=second, column=4, value="maybe")
        bad = tmp_path / "workshop.xlsx"
        book.save(bad)

        tab_until(page, "el => el.tagName === 'A' && el.getAttribute('href').endsWith('/import/')")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/import/$"))
        assert page.locator("h1").inner_text() == "Import a workbook"
        assert axe_violations(page) == []

        import_with_the_keyboard(page, bad)
        page.wait_for_selector("[data-error-summary]")
        assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
        summary = page.locator(".error-summary").inner_text()
        assert "Nothing was imported: the workbook “workshop.xlsx” has 1 problem." in summary
        assert (
            f"Answers, row {second}, column D (Answer): “maybe” is not one of yes, partly, no, don't know, "
            "not applicable" in summary
        )
        assert axe_violations(page) == []
        page.goto(f"{overview}factors/{slug}/")
        assert page.locator("#id_justification").input_value() != "Agreed in the spring workshop."

        # The row fixed, the same workbook imported again.
        answers.cell(row=second, column=4, value="Partly")
        fixed = tmp_path / "workshop-fixed.xlsx"
        book.save(fixed)
        page.goto(f"{overview}import/")
        import_with_the_keyboard(page, fixed)
        page.wait_for_url(re.compile(rf".*{overview}$"))
        assert "The workbook is imported: 1 key factor changed." in page.locator(".messages").inner_text()
        assert axe_violations(page) == []
        page.goto(f"{overview}factors/{slug}/")
        assert page.locator("#id_justification").input_value() == "Agreed in the spring workshop."
        assert page.locator("#id_rating").input_value() == "3"

        # The workbook was exported before that import saved the key factor: a further change in it to the
        # same key factor is a conflict, named on the page, and nothing is applied.
        factors.cell(row=2, column=4, value="Changed again after the import.")
        stale = tmp_path / "workshop-stale.xlsx"
        book.save(stale)
        page.goto(f"{overview}import/")
        import_with_the_keyboard(page, stale)
        page.wait_for_selector("#conflict-title")
        assert title in page.locator(".notice").inner_text()
        assert axe_violations(page) == []
        assert [e for e in page.console_errors if "status of 400" not in e and "status of 409" not in e] == []
    finally:
        context.close()
