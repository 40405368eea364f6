"""The plan as PDF (tagged, with the document language; its text read back with pdftotext) and as XLSX
(read back with openpyxl), and the timeline chart with its overdue flags."""

import shutil
import subprocess
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from actionplans import actions
from actionplans.actions import ActionFields, IndicatorFields
from actionplans.report import plan_contents
from actionplans.timeline import timeline_rows, timeline_svg
from tests.support.cast import client_for
from tests.support.pdf import pdf_objects

pytestmark = pytest.mark.django_db


def filled(cast, plan):
    """The first action dated, owned and overdue (ended 2020), with an indicator and an update; the second done."""
    first, second = list(plan.actions.order_by("position"))
    actions.do_save_action(
        first,
        ActionFields(
            title=first.title,
            description=first.description,
            owner="Integration office",
            start=date(2019, 1, 1),
            end=date(2020, 6, 30),
            budget=Decimal("25000"),
            funding_source="ESF+",
            competence="municipal",
            key_factors=list(first.key_factors.values_list("pk", flat=True)),
        ),
        by=cast.coordinator,
        expected_version=0,
    )
    actions.do_add_indicator(
        first,
        IndicatorFields(name="Migrants placed in jobs", baseline=Decimal(40), target=Decimal(120), unit="people"),
        by=cast.coordinator,
    )
    actions.do_add_progress(first, by=cast.partner, on=date(2020, 3, 1), text="Kick-off with the job centre.")
    actions.do_save_action(
        second,
        ActionFields(title=second.title, start=date(2019, 3, 1), end=date(2019, 9, 30), status="done"),
        by=cast.coordinator,
        expected_version=0,
    )
    return first, second


def test_the_pdf_is_tagged_has_a_language_and_contains_the_plan_and_its_timeline(cast, plan, tmp_path) -> None:
    first, second = filled(cast, plan)
    response = client_for(cast.viewer).get(f"/assessments/{plan.assessment.public_id}/plan/download.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    pdf = response.content
    objects = pdf_objects(pdf)
    assert b"/StructTreeRoot" in objects  # tagged
    assert b"/Lang (en)" in objects
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (Debian's poppler-utils) is needed; `make test` installs it")
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    text = " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "Action plan of Aville" in text
    for action in (first, second):
        assert action.title in text
    assert "Integration office" in text
    assert "Migrants placed in jobs" in text
    assert "Kick-off with the job centre." in text
    assert "Prompts from the benchmark" in text
    assert "Timeline of the action plan: Aville" in text and "Today," in text  # the chart's caption and text
    assert "Overdue" in text and "ended 30 Jun 2020" in text


def test_the_workbook_has_every_action_indicator_and_update(cast, plan) -> None:
    first, second = filled(cast, plan)
    response = client_for(cast.admin).get(f"/assessments/{plan.assessment.public_id}/plan/download.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="action-plan-aville-2026.xlsx"')
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Actions", "Indicators", "Progress updates", "About"]
    rows = list(book["Actions"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:2] == ("No.", "Action")
    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [r["Action"] for r in records] == [first.title, second.title]
    one = records[0]
    assert one["Owner"] == "Integration office"
    assert one["Start"].date() == date(2019, 1, 1)
    assert one["Budget (EUR)"] == 25000
    assert one["Competence level"] == "Municipal"
    assert one["Overdue"] == "yes" and "ended 30 Jun 2020" in str(one["Why overdue"])
    assert records[1]["Status"] == "Done" and records[1]["Overdue"] == "no"
    assert first.key_factors.get().title in str(one["Key factors addressed"])
    indicators = list(book["Indicators"].iter_rows(values_only=True))
    assert indicators[1][2:7] == ("Migrants placed in jobs", 40, 120, None, "people")
    updates = list(book["Progress updates"].iter_rows(values_only=True))
    assert updates[1][3] == "Kick-off with the job centre."
    assert updates[1][4] == "partner@aville.example"


def test_the_timeline_draws_a_bar_per_action_marks_today_and_flags_the_overdue(cast, plan) -> None:
    filled(cast, plan)
    contents = plan_contents(plan, today=date(2021, 1, 15))
    assert [row.overdue for row in contents.rows] == [True, False]  # the second is done
    svg = str(contents.chart)
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="timeline-title">Timeline of the action plan: Aville' in svg
    assert "1 of 2 actions are overdue: 1. " in svg
    assert svg.count("<rect") == 2  # one bar per dated action
    assert svg.count("<polygon") == 1  # the overdue marker
    assert "Today, 15 Jan 2021" in svg
    assert "Planned · overdue" in svg and "Done" in svg
    undated = actions.do_add_action(plan, by=cast.coordinator, title="Not yet planned <script>")
    rows = timeline_rows([*contents.actions, undated], date(2021, 1, 15))
    drawn = str(timeline_svg(rows, date(2021, 1, 15), title="T"))
    assert "no dates yet" in drawn and "&lt;script&gt;" in drawn and "<script>" not in drawn


def test_the_page_timeline_and_its_table_say_the_same(cast, plan) -> None:
    first, _second = filled(cast, plan)
    page = client_for(cast.viewer).get(f"/assessments/{plan.assessment.public_id}/plan/timeline/")
    assert page.status_code == 200
    assert page.text.count("<svg") == 1
    table = page.text.split("The timeline as a table</caption>")[1].split("</table>")[0]
    assert first.title in table and "Yes: ended 30 Jun 2020" in table
    assert "1 of 2 actions are overdue" in page.text


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook(cast, plan, caplog) -> None:
    action = plan.actions.order_by("position").first()
    hostile = '=HYPERLINK("https://evil.example","Click")'
    actions.do_save_action(
        action, ActionFields(title=hostile, owner="+1 unit", status="planned"), by=cast.coordinator, expected_version=0
    )
    with caplog.at_level("INFO", logger="icb.security"):
        response = client_for(cast.coordinator).get(f"/assessments/{plan.assessment.public_id}/plan/download.xlsx")
    assert "action_plan.exported" in caplog.text
    sheet = load_workbook(BytesIO(response.content))["Actions"]
    assert sheet["B2"].value == hostile and sheet["B2"].data_type == "s" and sheet["B2"].quotePrefix
    assert sheet["E2"].value == "+1 unit" and sheet["E2"].data_type == "s"


def test_a_plan_without_dates_says_so_instead_of_drawing_an_empty_timeline(cast, plan) -> None:
    """A freshly drafted plan has no dates yet: its timeline page and its PDF say so, the table lists all."""
    page = client_for(cast.viewer).get(f"/assessments/{plan.assessment.public_id}/plan/timeline/")
    assert page.status_code == 200
    assert "<svg" not in page.text
    assert "No action has a start or an end date yet" in page.text
    table = page.text.split("The timeline as a table</caption>")[1].split("</table>")[0]
    for action in plan.actions.all():
        assert action.title in table
    first = plan.actions.order_by("position").first()
    actions.do_save_action(
        first,
        ActionFields(title=first.title, start=date(2026, 1, 1), end=date(2026, 6, 30)),
        by=cast.coordinator,
        expected_version=first.lock_version,
    )
    page = client_for(cast.viewer).get(f"/assessments/{plan.assessment.public_id}/plan/timeline/")
    assert page.text.count("<svg") == 1 and "No action has a start or an end date yet" not in page.text
