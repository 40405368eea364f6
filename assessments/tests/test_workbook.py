"""The XLSX workbook through HTTP: export, fill with openpyxl as a spreadsheet would, import back.

The import validates every row before applying anything (docs/quality.md R7), names each failure with sheet,
row and column, refuses another assessment's workbook and files that are not XLSX (S6), stops at a
conflict when someone saved after the export, and a second import of the same file changes nothing.
"""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from pypdf import PdfWriter

from assessments import actions
from assessments.models import Assessment, AssessmentEvent, ContextNote, FactorAssessment, QuestionAnswer
from tests.support.assessments import a_version
from tests.support.cast import Cast, client_for

pytestmark = pytest.mark.django_db


def url(assessment: Assessment, rest: str) -> str:
    return f"/assessments/{assessment.public_id}/{rest}"


def download(client, assessment: Assessment):
    response = client.get(url(assessment, "workbook.xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(response.content))


def upload(client, assessment: Assessment, book, *, name: str = "filled.xlsx", **extra: str):
    out = io.BytesIO()
    book.save(out)
    file = SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")
    return client.post(url(assessment, "import/"), {"file": file, **extra})


def row_of(sheet, row_id: str, id_column: int) -> int:
    for n in range(2, sheet.max_row + 1):
        if sheet.cell(row=n, column=id_column).value == row_id:
            return n
    raise AssertionError(f"no row {row_id}")


def first_factor(assessment: Assessment) -> FactorAssessment:
    factor = (
        assessment.factors.filter(answers__isnull=False)
        .select_related("key_factor")
        .order_by("key_factor__kind", "key_factor__number")
        .distinct()
        .first()
    )
    assert factor is not None
    return factor


def test_the_workbook_holds_every_key_factor_question_and_context_factor(cast: Cast, assessment: Assessment) -> None:
    book = download(client_for(cast.contributor), assessment)
    assert book.sheetnames == ["Read me", "Key factors", "Answers", "Context", "Identifiers"]
    assert book["Identifiers"].sheet_state == "veryHidden"
    readme = "\n".join(str(c.value) for row in book["Read me"].iter_rows() for c in row if c.value)
    version = assessment.benchmark_version
    assert version.source_title in readme and version.source_publisher in readme
    assert "Yes, Partly, No, Don't know, Not applicable" in readme
    for level in version.rating_scale.levels.all():
        assert f"{level.value} – {level.label}" in readme
    factors = book["Key factors"]
    assert factors.max_row - 1 == assessment.factors.count()
    assert factors.column_dimensions["E"].hidden
    answers = book["Answers"]
    assert answers.max_row - 1 == QuestionAnswer.objects.filter(factor__assessment=assessment).count()
    # The guide question verbatim, from the library.
    answer = QuestionAnswer.objects.filter(factor__assessment=assessment).select_related("question__key_factor").first()
    n = row_of(answers, f"{answer.question.key_factor.slug}#{answer.question.number}", 6)
    assert answers.cell(row=n, column=3).value == answer.question.text
    assert book["Context"].max_row - 1 == assessment.context_notes.count()
    # Lists for answers, ratings, effects and competence.
    lists = {
        (name, str(v.sqref)): v.formula1
        for name in ("Key factors", "Answers", "Context")
        for v in book[name].data_validations.dataValidation
    }
    rows = factors.max_row
    assert "3 – Established" in lists[("Key factors", f"C2:C{rows}")]
    assert lists[("Answers", f"D2:D{answers.max_row}")] == '"Yes,Partly,No,Don\'t know,Not applicable"'
    last = book["Context"].max_row
    assert lists[("Context", f"C2:C{last}")] == '"Constraint,Enabler,Neutral"'
    assert lists[("Context", f"D2:D{last}")] == '"Municipal,Regional,National,European Union"'


def test_round_trip_applies_answers_ratings_and_context_with_history(cast: Cast, assessment: Assessment) -> None:
    client = client_for(cast.contributor)
    book = download(client, assessment)
    factor = first_factor(assessment)
    slug = factor.key_factor.slug
    first = factor.answers.select_related("question").order_by("question__number").first()
    sheet = book["Key factors"]
    n = row_of(sheet, slug, 5)
    sheet.cell(row=n, column=3, value="2 – Developing")
    sheet.cell(row=n, column=4, value="Agreed in the workshop.")
    answers = book["Answers"]
    n = row_of(answers, f"{slug}#{first.question.number}", 6)
    answers.cell(row=n, column=4, value="Partly")
    answers.cell(row=n, column=5, value="The strategy is adopted but not funded.")
    note = assessment.context_notes.select_related("context_factor").order_by("context_factor__number").first()
    context = book["Context"]
    n = row_of(context, f"context#{note.context_factor.number}", 6)
    context.cell(row=n, column=3, value="Constraint")
    context.cell(row=n, column=4, value="National")
    context.cell(row=n, column=5, value="National law decides.")

    response = upload(client, assessment, book)

    assert response.status_code == 302, response.content.decode()[:2000]
    factor.refresh_from_db()
    assert (factor.rating, factor.justification) == (2, "Agreed in the workshop.")
    first.refresh_from_db()
    assert (first.answer, first.comment) == ("partly", "The strategy is adopted but not funded.")
    note.refresh_from_db()
    assert (note.effect, note.competence, note.note) == ("constraint", "national", "National law decides.")
    events = list(assessment.events.values_list("action", flat=True))
    assert events[-3:] == ["factor_saved", "context_saved", "imported"]
    imported = assessment.events.get(action=AssessmentEvent.Action.IMPORTED)
    assert imported.by == cast.contributor
    assert imported.changes["key_factors"] == [slug]
    assert imported.changes["file"] == "filled.xlsx"
    page = client.get(response["Location"])
    assert "The workbook is imported: 1 key factor changed, the context factors changed." in page.text


def test_one_bad_row_applies_nothing_and_names_sheet_row_and_column(cast: Cast, assessment: Assessment) -> None:
    client = client_for(cast.contributor)
    book = download(client, assessment)
    factor = first_factor(assessment)
    slug = factor.key_factor.slug
    questions = list(factor.answers.select_related("question").order_by("question__number"))
    answers = book["Answers"]
    good = row_of(answers, f"{slug}#{questions[0].question.number}", 6)
    answers.cell(row=good, column=4, value="Yes")
    bad = row_of(answers, f"{slug}#{questions[1].question.number}", 6)
    answers.cell(row=bad, column=4, value="maybe")
    sheet = book["Key factors"]
    n = row_of(sheet, slug, 5)
    sheet.cell(row=n, column=3, value="3 – Established")
    sheet.cell(row=n, column=4, value="Good.")
    before = assessment.events.count()

    response = upload(client, assessment, book)

    assert response.status_code == 400
    assert "Nothing was imported: the workbook “<bdi>filled.xlsx</bdi>” has 1 problem." in response.text
    expected = (
        f"Answers, row {bad}, column D (Answer): “maybe” is not one of yes, partly, no, don&#x27;t know, not applicable"
    )
    assert expected in response.text
    assert "data-error-summary" in response.text
    factor.refresh_from_db()
    assert factor.rating is None and factor.justification == ""
    assert not QuestionAnswer.objects.filter(factor__assessment=assessment).exclude(answer="").exists()
    assert assessment.events.count() == before


def test_every_failing_row_is_listed_in_sheet_order(cast: Cast, assessment: Assessment) -> None:
    client = client_for(cast.coordinator)
    book = download(client, assessment)
    sheet = book["Key factors"]
    sheet.cell(row=2, column=3, value="7")
    sheet.cell(row=3, column=3, value="2")  # a rating without a justification
    book["Context"].cell(row=2, column=3, value="Helpful")
    book["Answers"].cell(row=book["Answers"].max_row + 1, column=4, value="Yes")  # an added row
    response = upload(client, assessment, book)
    assert response.status_code == 400
    text = response.text
    found = re.findall(r"(Key factors|Answers|Context), row (\d+), column ([A-F])", text)
    assert found == [
        ("Key factors", "2", "C"),
        ("Key factors", "3", "D"),
        ("Answers", str(book["Answers"].max_row), "F"),
        ("Context", "2", "C"),
    ]
    assert "a rating needs a justification" in text
    assert "“7” is not a rating on the scale" in text


def test_a_workbook_of_another_assessment_is_refused(cast: Cast, assessment: Assessment) -> None:
    other = actions.do_start_assessment(cast.workspace, a_version(), "2027", by=cast.coordinator)
    client = client_for(cast.coordinator)
    book = download(client, other)
    book["Key factors"].cell(row=2, column=4, value="Typed for the other one.")
    response = upload(client, assessment, book)
    assert response.status_code == 400
    assert "This workbook does not belong to this assessment" in response.text
    assert not FactorAssessment.objects.filter(justification="Typed for the other one.").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"just text", "Choose a PDF, Word (DOCX), Excel (XLSX)"),
        ("fake.xlsx", b"%PDF-1.7 not a workbook", "its name and content must agree"),
        ("report.pdf", "a real PDF", "Choose the XLSX workbook exported from this assessment."),
        ("damaged.xlsx", b"PK\x03\x04 truncated", "not a valid .xlsx document"),
    ],
)
def test_a_file_that_is_not_an_xlsx_workbook_is_refused(
    cast: Cast, assessment: Assessment, name: str, content: bytes | str, message: str
) -> None:
    if content == "a real PDF":
        writer = PdfWriter()
        writer.add_blank_page(width=200, height=200)
        out = io.BytesIO()
        writer.write(out)
        content = out.getvalue()
    assert isinstance(content, bytes)
    file = SimpleUploadedFile(name, content)
    response = client_for(cast.contributor).post(url(assessment, "import/"), {"file": file})
    assert response.status_code == 400
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert not assessment.events.filter(action=AssessmentEvent.Action.IMPORTED).exists()


def test_a_workbook_whose_name_has_5000_characters_gets_the_forms_error(cast: Cast, assessment: Assessment) -> None:
    client = client_for(cast.contributor)
    out = io.BytesIO()
    download(client, assessment).save(out)
    out.seek(0)
    out.name = "filled " * 714 + ".xlsx"
    response = client.post(url(assessment, "import/"), {"file": out})
    assert response.status_code == 400
    assert "There is a problem" in response.text and 'href="#id_file"' in response.text
    assert "name is longer than 255 characters" in response.text
    assert not assessment.events.filter(action=AssessmentEvent.Action.IMPORTED).exists()


def test_a_docx_renamed_xlsx_or_a_zip_of_something_else_is_refused(cast: Cast, assessment: Assessment) -> None:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<not-a-workbook/>")
    file = SimpleUploadedFile("crafted.xlsx", out.getvalue())
    response = client_for(cast.contributor).post(url(assessment, "import/"), {"file": file})
    assert response.status_code == 400
    assert "could not be read as an XLSX workbook" in response.text


def test_a_stale_workbook_names_the_changed_key_factors_and_applies_only_when_confirmed(
    cast: Cast, assessment: Assessment
) -> None:
    client = client_for(cast.contributor)
    book = download(client, assessment)
    factor = first_factor(assessment)
    slug = factor.key_factor.slug
    # Meanwhile the coordinator saves the same key factor on the platform.
    actions.do_save_factor(
        factor,
        by=cast.coordinator,
        expected_version=0,
        rating=1,
        justification="Typed online.",
        answers={},
        comments={},
    )
    sheet = book["Key factors"]
    n = row_of(sheet, slug, 5)
    sheet.cell(row=n, column=3, value="3")
    sheet.cell(row=n, column=4, value="Typed in the workshop.")

    response = upload(client, assessment, book)

    assert response.status_code == 409
    assert factor.key_factor.title in response.text
    assert "saved by <bdi>coordinator@aville.example</bdi>" in response.text
    assert "Nothing was imported" in response.text
    factor.refresh_from_db()
    assert (factor.rating, factor.justification) == (1, "Typed online.")
    confirm = re.search(r'name="confirm" value="([^"]+)"', response.text).group(1)
    assert confirm == f"{slug}:1"

    # The same file without ticking the box: still refused.
    assert upload(client, assessment, book, confirm=confirm).status_code == 409
    # Confirmed: the workbook's version replaces the saved one, and the history says so.
    response = upload(client, assessment, book, confirm=confirm, replace="on")
    assert response.status_code == 302
    factor.refresh_from_db()
    assert (factor.rating, factor.justification) == (3, "Typed in the workshop.")
    assert assessment.events.get(action="imported").changes["replaced"] == [slug]


def test_a_confirmation_is_for_the_versions_shown_only(cast: Cast, assessment: Assessment) -> None:
    client = client_for(cast.contributor)
    book = download(client, assessment)
    factor = first_factor(assessment)
    actions.do_save_factor(
        factor, by=cast.coordinator, expected_version=0, rating=1, justification="First.", answers={}, comments={}
    )
    book["Key factors"].cell(row=row_of(book["Key factors"], factor.key_factor.slug, 5), column=4, value="Workshop.")
    confirm = re.search(r'name="confirm" value="([^"]+)"', upload(client, assessment, book).text).group(1)
    # Someone saves again after the conflict was shown.
    actions.do_save_factor(
        factor, by=cast.coordinator, expected_version=1, rating=2, justification="Second.", answers={}, comments={}
    )
    response = upload(client, assessment, book, confirm=confirm, replace="on")
    assert response.status_code == 409
    factor.refresh_from_db()
    assert factor.justification == "Second."


def test_a_key_factor_saved_since_export_but_untouched_in_the_workbook_keeps_the_saved_version(
    cast: Cast, assessment: Assessment
) -> None:
    client = client_for(cast.contributor)
    book = download(client, assessment)
    factors = list(assessment.factors.select_related("key_factor").order_by("key_factor__kind", "key_factor__number"))
    online, offline = factors[0], factors[1]
    actions.do_save_factor(
        online, by=cast.coordinator, expected_version=0, rating=1, justification="Online.", answers={}, comments={}
    )
    sheet = book["Key factors"]
    sheet.cell(row=row_of(sheet, offline.key_factor.slug, 5), column=4, value="Offline.")
    # The workbook still shows the old (empty) version of `online`, as exported: the workshop did not touch it.
    response = upload(client, assessment, book)
    assert response.status_code == 302
    online.refresh_from_db()
    offline.refresh_from_db()
    assert (online.rating, online.justification) == (1, "Online.")
    assert offline.justification == "Offline."
    assert assessment.events.get(action="imported").changes["key_factors"] == [offline.key_factor.slug]


def test_a_second_import_of_the_same_file_changes_nothing(cast: Cast, assessment: Assessment) -> None:
    client = client_for(cast.contributor)
    book = download(client, assessment)
    factor = first_factor(assessment)
    sheet = book["Key factors"]
    sheet.cell(row=row_of(sheet, factor.key_factor.slug, 5), column=3, value="Developing")
    sheet.cell(row=row_of(sheet, factor.key_factor.slug, 5), column=4, value="Workshop view.")
    assert upload(client, assessment, book).status_code == 302
    events = assessment.events.count()
    factor.refresh_from_db()
    version = factor.lock_version

    response = upload(client, assessment, book)

    assert response.status_code == 302
    assert assessment.events.count() == events
    factor.refresh_from_db()
    assert (factor.rating, factor.lock_version) == (2, version)
    page = client.get(response["Location"])
    assert "nothing changed" in page.text


def test_formula_injection_is_neutralised_in_the_workbook(cast: Cast, assessment: Assessment) -> None:
    factor = first_factor(assessment)
    first = factor.answers.select_related("question").first()
    hostile = '=HYPERLINK("http://evil.example","click")'
    actions.do_save_factor(
        factor,
        by=cast.contributor,
        expected_version=0,
        rating=1,
        justification="+cmd|' /C calc'!A0",
        answers={},
        comments={first.question_id: hostile},
    )
    client = client_for(cast.contributor)
    book = download(client, assessment)
    answers = book["Answers"]
    cell = answers.cell(row=row_of(answers, f"{factor.key_factor.slug}#{first.question.number}", 6), column=5)
    assert cell.data_type == "s"  # text, not a formula
    assert cell.quotePrefix
    assert cell.value == hostile
    justification = book["Key factors"].cell(row=row_of(book["Key factors"], factor.key_factor.slug, 5), column=4)
    assert justification.data_type == "s" and justification.quotePrefix
    # Round trip: the text comes back as it was, nothing changes.
    assert upload(client, assessment, book).status_code == 302
    first.refresh_from_db()
    assert first.comment == hostile
    assert not assessment.events.filter(action="imported").exists()


def test_import_into_a_submitted_assessment_is_refused(cast: Cast, assessment: Assessment) -> None:
    client = client_for(cast.coordinator)
    book = download(client, assessment)
    book["Key factors"].cell(row=2, column=4, value="Late.")
    actions.do_submit(assessment, by=cast.coordinator)
    page = client.get(url(assessment, "import/"))
    assert page.status_code == 200
    assert "can be imported while the assessment is a draft or reopened" in page.text
    response = upload(client, assessment, book)
    assert response.status_code == 400
    assert not FactorAssessment.objects.filter(justification="Late.").exists()


def test_answer_labels_values_and_empty_cells_are_all_understood(cast: Cast, assessment: Assessment) -> None:
    client = client_for(cast.contributor)
    book = download(client, assessment)
    factor = first_factor(assessment)
    questions = list(factor.answers.select_related("question").order_by("question__number"))[:3]
    answers = book["Answers"]
    for answer, typed in zip(questions, ["YES", "dont_know", "don’t know"], strict=False):
        answers.cell(
            row=row_of(answers, f"{factor.key_factor.slug}#{answer.question.number}", 6), column=4, value=typed
        )
    assert upload(client, assessment, book).status_code == 302
    stored = [QuestionAnswer.objects.get(pk=a.pk).answer for a in questions]
    assert stored == ["yes", "dont_know", "dont_know"][: len(questions)]


def test_context_notes_saved_since_export_are_a_conflict(cast: Cast, assessment: Assessment) -> None:
    client = client_for(cast.contributor)
    book = download(client, assessment)
    note = assessment.context_notes.select_related("context_factor").order_by("context_factor__number").first()
    actions.do_save_context(
        assessment,
        by=cast.coordinator,
        expected_version=assessment.lock_version,
        notes={note.context_factor_id: {"effect": "enabler", "competence": "eu", "note": "Online."}},
    )
    book["Context"].cell(
        row=row_of(book["Context"], f"context#{note.context_factor.number}", 6), column=5, value="Off."
    )
    response = upload(client, assessment, book)
    assert response.status_code == 409
    assert "The context factors" in response.text
    assert ContextNote.objects.get(pk=note.pk).note == "Online."


def test_a_workbook_with_xml_entities_is_refused(cast: Cast, assessment: Assessment) -> None:
    """A "billion laughs" in one of the workbook's XML parts: parsed with defusedxml, refused whole."""
    import zipfile

    client = client_for(cast.contributor)
    exported = client.get(url(assessment, "workbook.xlsx")).content
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(exported)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/workbook.xml":
                bomb = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                data = bomb + data
            target.writestr(entry, data)
    file = SimpleUploadedFile("bomb.xlsx", out.getvalue())
    response = client.post(url(assessment, "import/"), {"file": file})
    assert response.status_code == 400
    assert "could not be read as an XLSX workbook" in response.text


def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(
    cast: Cast, assessment: Assessment, settings
) -> None:
    settings.UPLOAD_MAX_BYTES = 2_000
    exported = client_for(cast.contributor).get(url(assessment, "workbook.xlsx")).content
    assert len(exported) > 2_000
    file = SimpleUploadedFile("big.xlsx", exported)
    response = client_for(cast.contributor).post(url(assessment, "import/"), {"file": file})
    assert response.status_code == 400
    assert "The file is larger than" in response.text
    assert "This field is required" not in response.text


def with_rows_added(exported: bytes, sheet_title: str, count: int, *, declare: bool = True) -> bytes:
    """The exported workbook with `count` rows added at the end of a sheet, as a spreadsheet saves them (inline
    strings; the sheet's declared dimension updated unless `declare` is False). Written as XML directly: openpyxl
    takes half a minute to write 100,000 rows."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(exported))
    book = load_workbook(io.BytesIO(exported), read_only=True)
    index = book.sheetnames.index(sheet_title)
    first = book[sheet_title].max_row + 1
    book.close()
    path = f"xl/worksheets/sheet{index + 1}.xml"
    xml = source.read(path).decode()
    cells = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>1</t></is></c><c r="D{n}" t="inlineStr"><is><t>Yes</t></is>'
        f'</c><c r="F{n}" t="inlineStr"><is><t>added#{n}</t></is></c></row>'
        for n in range(first, first + count)
    )
    xml = xml.replace("</sheetData>", cells + "</sheetData>")
    if declare:
        xml = re.sub(r'<dimension ref="A1:([A-Z]+)\d+"', rf'<dimension ref="A1:\g<1>{first + count - 1}"', xml)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry, xml if entry.filename == path else source.read(entry))
    return out.getvalue()


def test_a_workbook_of_100000_rows_is_refused_at_once_with_a_small_answer(cast: Cast, assessment: Assessment) -> None:
    import time

    client = client_for(cast.contributor)
    exported = client.get(url(assessment, "workbook.xlsx")).content
    rows = QuestionAnswer.objects.filter(factor__assessment=assessment).count() + 1
    big = with_rows_added(exported, "Answers", 100_000 - rows)
    started = time.monotonic()
    response = client.post(url(assessment, "import/"), {"file": SimpleUploadedFile("filled.xlsx", big)})
    elapsed = time.monotonic() - started
    assert response.status_code == 400
    assert len(response.content) < 50_000
    assert elapsed < 10, elapsed  # loose: the whole file is never read (it took 13 s and 260 MB before)
    most = f"{rows + 100:,}"
    assert (
        f"the sheet “Answers” of “filled.xlsx” has 100,000 rows, and it can have at most {most} in this "
        "assessment&#x27;s workbook"
    ) in response.text
    assert 'href="#id_file"' in response.text and 'aria-invalid="true"' in response.text
    assert not assessment.events.filter(action=AssessmentEvent.Action.IMPORTED).exists()
    # A file that declares fewer rows than it has is counted all the same.
    hidden = with_rows_added(exported, "Answers", 100_000 - rows, declare=False)
    response = client.post(url(assessment, "import/"), {"file": SimpleUploadedFile("filled.xlsx", hidden)})
    assert response.status_code == 400 and len(response.content) < 50_000
    assert f"has more than {most} rows" in response.text


def test_a_few_added_rows_are_each_named_and_a_long_list_shows_the_first_50(cast: Cast, assessment: Assessment) -> None:
    client = client_for(cast.contributor)
    exported = client.get(url(assessment, "workbook.xlsx")).content
    response = client.post(
        url(assessment, "import/"),
        {"file": SimpleUploadedFile("filled.xlsx", with_rows_added(exported, "Answers", 60))},
    )
    assert response.status_code == 400
    assert "Nothing was imported: the workbook “<bdi>filled.xlsx</bdi>” has 60 problems." in response.text
    listed = re.findall(r"<li>Answers, row \d+, column F \(id\)", response.text)
    assert len(listed) == 50
    assert "<li>and 10 more errors</li>" in response.text
    assert not assessment.events.filter(action=AssessmentEvent.Action.IMPORTED).exists()


def test_a_sheet_wider_than_the_workbook_can_be_is_refused(cast: Cast, assessment: Assessment) -> None:
    client = client_for(cast.contributor)
    book = download(client, assessment)
    book["Read me"].cell(row=3, column=200, value="far to the right")
    response = upload(client, assessment, book)
    assert response.status_code == 400
    assert "row 3 of the sheet “Read me” of “filled.xlsx” has 200 columns" in response.text


def test_a_workbook_with_far_more_text_than_its_cells_can_hold_is_refused_before_it_is_opened(
    cast: Cast, assessment: Assessment
) -> None:
    import zipfile

    client = client_for(cast.contributor)
    exported = client.get(url(assessment, "workbook.xlsx")).content
    source = zipfile.ZipFile(io.BytesIO(exported))
    # A shared-strings part, as Excel writes one, of 300,000 texts: openpyxl reads all of them on opening.
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strings = "".join(f"<si><t>comment {n}</t></si>" for n in range(300_000))
    shared = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" uniqueCount="300000">{strings}</sst>'
    override = (
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", override.encode())
            target.writestr(entry, data)
        target.writestr("xl/sharedStrings.xml", shared)
    response = client.post(url(assessment, "import/"), {"file": SimpleUploadedFile("filled.xlsx", out.getvalue())})
    assert response.status_code == 400 and len(response.content) < 50_000
    assert "“filled.xlsx” holds more text than this assessment&#x27;s workbook can" in response.text


def test_a_workbook_and_an_online_edit_of_different_fields_of_one_key_factor_both_apply(
    cast: Cast, assessment: Assessment
) -> None:
    client = client_for(cast.contributor)
    book = download(client, assessment)
    factor = first_factor(assessment)
    question = factor.answers.select_related("question").order_by("question__number").first()
    # Meanwhile the coordinator answers a guide question online.
    actions.do_save_factor(
        factor,
        by=cast.coordinator,
        expected_version=0,
        rating=None,
        justification="",
        answers={question.question_id: "yes"},
        comments={question.question_id: "Answered online."},
    )
    sheet = book["Key factors"]
    n = row_of(sheet, factor.key_factor.slug, 5)
    sheet.cell(row=n, column=3, value="2")
    sheet.cell(row=n, column=4, value="Rated in the workshop.")
    response = upload(client, assessment, book)
    assert response.status_code == 302, "no conflict: the workbook changed other fields than the online save"
    factor.refresh_from_db()
    assert (factor.rating, factor.justification) == (2, "Rated in the workshop.")
    question.refresh_from_db()
    assert (question.answer, question.comment) == ("yes", "Answered online.")
    assert "replaced" not in assessment.events.get(action="imported").changes


def test_a_workbook_exported_before_field_merging_keeps_the_whole_factor_check(
    cast: Cast, assessment: Assessment
) -> None:
    client = client_for(cast.contributor)
    book = download(client, assessment)
    ids = book["Identifiers"]
    for row in range(1, ids.max_row + 1):
        ids.cell(row=row, column=5).value = None  # as the workbooks exported before had none
    factor = first_factor(assessment)
    question = factor.answers.order_by("question__number").first()
    actions.do_save_factor(
        factor,
        by=cast.coordinator,
        expected_version=0,
        rating=None,
        justification="",
        answers={question.question_id: "yes"},
        comments={},
    )
    sheet = book["Key factors"]
    sheet.cell(row=row_of(sheet, factor.key_factor.slug, 5), column=4, value="Typed in the workshop.")
    response = upload(client, assessment, book)
    assert response.status_code == 409
    assert factor.key_factor.title in response.text
    factor.refresh_from_db()
    assert factor.justification == ""
