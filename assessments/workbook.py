"""A self-assessment as an XLSX workbook a team fills offline (a workshop), and reading it back.

The workbook has a "Read me" sheet, one row per key factor ("Key factors"), one per guide question
("Answers"), one per context factor ("Context"), and a very hidden, protected "Identifiers" sheet: the
assessment's id, each key factor's lock_version at export and a digest of the context notes, so the
import matches every row to its assessment, factor and question, and notices what others saved since.
Each data sheet also carries the row's identifier in a hidden column: rows are matched by it, never by
their position or their visible number.

`read_workbook` validates every row and raises WorkbookInvalid with all the failures (sheet, row,
column: docs/quality.md R7) or WorkbookRefused for a file that is not this assessment's workbook; the
changes it returns are applied by `assessments.actions.do_import_workbook`, in one transaction.

Text cells are written as text with Excel's "quote prefix" style, so a comment starting with = + - @
stays text in the spreadsheet (no formula injection) and reads back unchanged. The CSV of the ratings
prefixes such cells with an apostrophe instead, as a CSV has no styles.
"""

import csv
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from assessments.models import Assessment, ContextNote, FactorAssessment, QuestionAnswer, factor_fields
from assessments.results import Results, build_results
from benchmarks.models import KeyFactor
from lib.merge import fingerprints
from lib.text import strip_overrides
from lib.uploads import display_name

FORMAT = "icb-assessment-workbook/1"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# As in the key factor form (assessments/forms.py).
JUSTIFICATION_MAX = 10_000
COMMENT_MAX = 5_000
NOTE_MAX = 10_000

# Columns of the data sheets: (letter, heading). The last one of each sheet is hidden: the row's id.
KF_COLUMNS = ("A", "B", "C", "D", "E")
ANSWER_COLUMNS = ("A", "B", "C", "D", "E", "F")
CONTEXT_COLUMNS = ("A", "B", "C", "D", "E", "F")


def factor_label(key_factor: KeyFactor) -> str:
    """The key factor's number as the workbook, CSV and report show it: common factors are C1, C2…"""
    return f"C{key_factor.number}" if key_factor.kind == KeyFactor.Kind.COMMON else str(key_factor.number)


def neutralise(value: str) -> str:
    """For CSV: a text cell a spreadsheet would read as a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def answer_labels() -> dict[str, str]:
    return {value: str(label) for value, label in QuestionAnswer.Answer.choices}


def context_digest(notes: list[ContextNote], new: dict[int, dict[str, str]] | None = None) -> str:
    """A fingerprint of the context notes (with `new` values over the stored ones): the import tells whether
    the workbook changed them, and whether someone saved them on the platform since the export."""
    new = new or {}
    state = []
    for note in notes:
        values = new.get(note.context_factor_id, {})
        state.append(
            (
                note.context_factor_id,
                values.get("effect", note.effect),
                values.get("competence", note.competence),
                values.get("note", note.note).strip(),
            )
        )
    return hashlib.sha256(json.dumps(sorted(state)).encode()).hexdigest()


def factor_digest(rating: int | None, justification: str, answers: list[tuple[int, str, str]]) -> str:
    """A fingerprint of a key factor's content: rating, justification, (question id, answer, comment)."""
    state = [rating, justification.strip(), sorted((q, a, c.strip()) for q, a, c in answers)]
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()


def sheet_titles() -> dict[str, str]:
    return {
        "readme": _("Read me"),
        "factors": _("Key factors"),
        "answers": _("Answers"),
        "context": _("Context"),
        "ids": "Identifiers",
    }


# ---- export -------------------------------------------------------------------------------------

WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
UNLOCKED = Protection(locked=False)


def _text(cell: Cell | MergedCell, value: str) -> None:
    """A text cell that stays text: never a formula, whatever it starts with."""
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def _header(sheet: Worksheet, headings: list[str], widths: list[int]) -> None:
    for n, (heading, width) in enumerate(zip(headings, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=n, value=heading)
        cell.font = BOLD
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"


def _protect(sheet: Worksheet) -> None:
    """Protected without a password, against slips (a moved row, an overwritten question), not against people:
    the import checks every row anyway. Columns and rows may still be resized."""
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.formatCells = False


def _list_validation(entries: list[str], prompt: str) -> DataValidation:
    # A list in the formula is separated by commas: none of our entries may hold one.
    values = ",".join(entry.replace(",", ";").replace('"', "'") for entry in entries)
    validation = DataValidation(type="list", formula1=f'"{values}"', allow_blank=True)
    validation.error = prompt
    validation.errorTitle = _("Choose from the list")
    validation.prompt = prompt
    validation.showErrorMessage = True
    validation.showInputMessage = True
    return validation


def _readme(sheet: Worksheet, results: Results, titles: dict[str, str]) -> None:
    assessment = results.assessment
    version = assessment.benchmark_version
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 100
    rows: list[tuple[str, str]] = [
        (_("Self-assessment workbook"), version.title),
        (_("City"), assessment.workspace.city.name),
        (_("Round"), assessment.round),
        (_("Status"), str(assessment.get_status_display())),
        (_("Benchmark version"), str(version.number)),
        (_("Exported"), timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")),
        (
            _("Source"),
            version.citation
            + (
                " " + _("Benchmark developed by %(authors)s.") % {"authors": version.source_authors}
                if version.source_authors
                else ""
            ),
        ),
        ("", ""),
        (
            _("What it is"),
            _(
                "The self-assessment of %(city)s against the Integrating Cities benchmark “%(title)s”, round "
                "%(round)s, to fill offline (in a workshop, for example) and import back into the platform."
            )
            % {"city": assessment.workspace.city.name, "title": version.title, "round": assessment.round},
        ),
        (
            _("How to fill it"),
            _(
                "1. In “%(answers)s”, choose an answer to each guide question from the list and add a comment "
                "if you wish. 2. In “%(factors)s”, choose a rating for each key factor and write its "
                "justification (a rating needs one). 3. In “%(context)s”, say for each context factor whether it "
                "is a constraint, an enabler or neutral, at which level of government it is decided, and add a note."
            )
            % {"answers": titles["answers"], "factors": titles["factors"], "context": titles["context"]},
        ),
        (
            _("Rows"),
            _(
                "Do not add, delete or move rows: a hidden identifier matches each row to its key factor or "
                "question. A cell left empty means “not answered yet” or “not rated yet”. Key factors numbered "
                "C1, C2… are the factors common to the four themes."
            ),
        ),
        (
            _("Importing it"),
            _(
                "On the assessment's page, choose “Import a workbook” while the assessment is a draft or reopened. "
                "Every row is checked first: if any row has a problem, nothing is imported and each problem is "
                "listed with its sheet, row and column. Key factors you leave as they were keep whatever was saved "
                "on the platform meanwhile. If someone saved a key factor on the platform after this workbook "
                "was exported and you changed it here too, the import names those key factors and changes "
                "nothing unless you confirm that the workbook should replace what they saved. Importing the "
                "same workbook again changes nothing."
            ),
        ),
        ("", ""),
        (_("Allowed answers"), ", ".join(answer_labels().values())),
        (_("Effects"), ", ".join(str(label) for _v, label in ContextNote.Effect.choices)),
        (_("Competence"), ", ".join(str(label) for _v, label in ContextNote.Competence.choices)),
        ("", ""),
        (
            _("Rating scale"),
            _("Choose the rating as its number and words, for example “%(example)s”.")
            % {"example": results.levels[-1].number_and_words if results.levels else "3 – Established"},
        ),
    ]
    for level in results.levels:
        words = level.number_and_words
        if results.standard is not None and level.value == results.standard.value:
            words += " " + _("(meets the standard)")
        rows.append((words, level.description))
    for n, (label, text) in enumerate(rows, start=1):
        first = sheet.cell(row=n, column=1)
        _text(first, label)
        first.font = BOLD
        first.alignment = WRAP
        second = sheet.cell(row=n, column=2)
        _text(second, text)
        second.alignment = WRAP
    sheet["B1"].font = Font(bold=True, size=14)
    _protect(sheet)


def build_workbook(assessment: Assessment, results: Results | None = None) -> bytes:
    """The workbook as XLSX bytes. Reads everything through build_results: a fixed number of queries."""
    results = results or build_results(assessment)
    titles = sheet_titles()
    labels = answer_labels()
    book = Workbook()
    readme = book.active
    assert readme is not None  # noqa: S101 - a new workbook has its first sheet
    readme.title = titles["readme"]
    _readme(readme, results, titles)

    factors = book.create_sheet(titles["factors"])
    _header(
        factors,
        [_("Key factor"), _("Title"), _("Rating"), _("Justification"), "id"],
        [11, 60, 24, 80, 4],
    )
    rating_list = _list_validation(
        [level.number_and_words for level in results.levels],
        _("Choose a rating on the benchmark's scale, or leave it empty."),
    )
    factors.add_data_validation(rating_list)
    for n, result in enumerate(results.factors, start=2):
        key_factor = result.factor.key_factor
        _text(factors.cell(row=n, column=1), factor_label(key_factor))
        title = factors.cell(row=n, column=2)
        _text(title, key_factor.title)
        title.alignment = WRAP
        rating = factors.cell(row=n, column=3)
        if result.level is not None:
            _text(rating, result.level.number_and_words)
        rating.protection = UNLOCKED
        justification = factors.cell(row=n, column=4)
        _text(justification, result.factor.justification)
        justification.alignment = WRAP
        justification.protection = UNLOCKED
        _text(factors.cell(row=n, column=5), key_factor.slug)
    if len(results.factors):
        rating_list.add(f"C2:C{len(results.factors) + 1}")
    factors.column_dimensions["E"].hidden = True
    _protect(factors)

    answers = book.create_sheet(titles["answers"])
    _header(
        answers,
        [_("Key factor"), _("Question"), _("Guide question"), _("Answer"), _("Comment"), "id"],
        [11, 10, 80, 16, 60, 4],
    )
    answer_list = _list_validation(list(labels.values()), _("Choose one of the answers, or leave it empty."))
    answers.add_data_validation(answer_list)
    row = 1
    for result in results.factors:
        key_factor = result.factor.key_factor
        for answer in result.answers:
            row += 1
            _text(answers.cell(row=row, column=1), factor_label(key_factor))
            answers.cell(row=row, column=2, value=answer.question.number)
            question = answers.cell(row=row, column=3)
            _text(question, answer.question.text)
            question.alignment = WRAP
            chosen = answers.cell(row=row, column=4)
            _text(chosen, labels.get(answer.answer, ""))
            chosen.protection = UNLOCKED
            comment = answers.cell(row=row, column=5)
            _text(comment, answer.comment)
            comment.alignment = WRAP
            comment.protection = UNLOCKED
            _text(answers.cell(row=row, column=6), f"{key_factor.slug}#{answer.question.number}")
    if row > 1:
        answer_list.add(f"D2:D{row}")
    answers.column_dimensions["F"].hidden = True
    _protect(answers)

    context = book.create_sheet(titles["context"])
    _header(
        context,
        [_("Number"), _("Context factor"), _("Effect"), _("Competence"), _("Note"), "id"],
        [9, 50, 16, 20, 70, 4],
    )
    effects = {value: str(label) for value, label in ContextNote.Effect.choices}
    competences = {value: str(label) for value, label in ContextNote.Competence.choices}
    effect_list = _list_validation(list(effects.values()), _("Constraint, enabler or neutral, or leave it empty."))
    competence_list = _list_validation(
        list(competences.values()), _("The level of government that decides it, or leave it empty.")
    )
    context.add_data_validation(effect_list)
    context.add_data_validation(competence_list)
    for n, note in enumerate(results.context_notes, start=2):
        context.cell(row=n, column=1, value=note.context_factor.number)
        title = context.cell(row=n, column=2)
        _text(title, note.context_factor.title)
        title.alignment = WRAP
        for column, value in ((3, effects.get(note.effect, "")), (4, competences.get(note.competence, ""))):
            cell = context.cell(row=n, column=column)
            _text(cell, value)
            cell.protection = UNLOCKED
        text = context.cell(row=n, column=5)
        _text(text, note.note)
        text.alignment = WRAP
        text.protection = UNLOCKED
        _text(context.cell(row=n, column=6), f"context#{note.context_factor.number}")
    if results.context_notes:
        last = len(results.context_notes) + 1
        effect_list.add(f"C2:C{last}")
        competence_list.add(f"D2:D{last}")
    context.column_dimensions["F"].hidden = True
    _protect(context)

    ids = book.create_sheet(titles["ids"])
    meta = [
        ("format", FORMAT),
        ("assessment", str(assessment.public_id)),
        ("exported_at", timezone.now().isoformat()),
        ("context_digest", context_digest(results.context_notes)),
        ("sheet_factors", titles["factors"]),
        ("sheet_answers", titles["answers"]),
        ("sheet_context", titles["context"]),
    ]
    for n, (key, value) in enumerate(meta, start=1):
        _text(ids.cell(row=n, column=1), key)
        _text(ids.cell(row=n, column=2), value)
    # Each key factor's version and content at export: the import tells what the workbook changed from what
    # others saved since.
    for n, r in enumerate(results.factors, start=len(meta) + 1):
        _text(ids.cell(row=n, column=1), "factor")
        _text(ids.cell(row=n, column=2), r.factor.key_factor.slug)
        ids.cell(row=n, column=3, value=r.factor.lock_version)
        digest = factor_digest(
            r.factor.rating, r.factor.justification, [(a.question_id, a.answer, a.comment) for a in r.answers]
        )
        _text(ids.cell(row=n, column=4), digest)
        # The fingerprints of its fields (lib.merge): the import applies what the workbook changed, merged
        # by field with what was saved online since. A workbook without them gets the whole-factor check.
        _text(ids.cell(row=n, column=5), json.dumps(fingerprints(factor_fields(r.factor, r.answers))))
    ids.sheet_state = "veryHidden"
    _protect(ids)

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_file_name(assessment: Assessment, extension: str) -> str:
    slug = assessment.benchmark_version.benchmark.slug
    city = re.sub(r"[^a-z0-9]+", "-", assessment.workspace.city.name.lower()).strip("-") or "city"
    return f"{city}-{slug}-{assessment.round}.{extension}"


# ---- CSV of the ratings -------------------------------------------------------------------------


def ratings_csv(assessment: Assessment, results: Results | None = None) -> str:
    """One row per key factor: number, title, rating value and words, suggested rating, justification.

    UTF-8 without a byte-order mark; text that a spreadsheet would run as a formula starts with an apostrophe.
    """
    results = results or build_results(assessment)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            _("Key factor"),
            _("Title"),
            _("Rating"),
            _("Rating in words"),
            _("Suggested rating"),
            _("Suggested rating in words"),
            _("Justification"),
        ]
    )
    for result in results.factors:
        suggested = result.suggested_level
        writer.writerow(
            [
                factor_label(result.factor.key_factor),
                neutralise(result.factor.key_factor.title),
                "" if result.level is None else result.level.value,
                "" if result.level is None else neutralise(result.level.label),
                "" if result.suggested is None else result.suggested,
                "" if suggested is None else neutralise(suggested.label),
                neutralise(result.factor.justification),
            ]
        )
    return out.getvalue()


# ---- import -------------------------------------------------------------------------------------


class WorkbookRefused(Exception):
    """The file as a whole is refused (not an XLSX workbook, another assessment's, damaged)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    heading: str
    problem: str

    def __str__(self) -> str:
        return _("%(sheet)s, row %(row)s, column %(column)s (%(heading)s): %(problem)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "heading": self.heading,
            "problem": self.problem,
        }


class WorkbookInvalid(Exception):
    """Some rows failed: every failure, in sheet and row order. Nothing is applied."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class FactorChange:
    factor: FactorAssessment
    rating: int | None
    justification: str
    answers: dict[int, str] = field(default_factory=dict)  # GuideQuestion id -> answer value
    comments: dict[int, str] = field(default_factory=dict)


@dataclass
class WorkbookChanges:
    """What a valid workbook says, keyed to this assessment's rows; applied by actions.do_import_workbook."""

    assessment_id: int
    exported_at: str
    factor_versions: dict[str, int]  # key factor slug -> lock_version at export
    factor_digests: dict[str, str]  # key factor slug -> factor_digest of its content at export
    # key factor slug -> the fingerprints of its fields at export (absent from older workbooks)
    factor_loaded: dict[str, dict[str, str]]
    context_digest: str
    factors: list[FactorChange]
    notes: dict[int, dict[str, str]] | None  # ContextFactor id -> effect, competence, note; None: no sheet


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    # Cells are typed by people, in a spreadsheet instead of a form: the same cleaning as the forms' (lib/text.py).
    return strip_overrides(str(value)).strip()


def _choice(text: str, choices: dict[str, str]) -> str | None:
    """The stored value for a cell: the label (in the workbook's language or English) or the value itself."""
    folded = text.casefold().replace("’", "'")
    for value, label in choices.items():
        if folded in (value.casefold(), label.casefold().replace("’", "'"), value.replace("_", " ").casefold()):
            return value
    return None


def _english(choices: Any) -> dict[str, str]:
    from django.utils import translation

    with translation.override("en"):
        return {value: str(label) for value, label in choices}


def _open(file: IO[bytes]) -> Any:
    try:
        file.seek(0)
        return load_workbook(file, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, ParseError):
        raise WorkbookRefused(
            _("The file could not be read as an XLSX workbook. Export the workbook again and fill that copy.")
        ) from None


# A workbook is refused at once, before any cell is read into memory, when a sheet has more rows than this
# assessment's workbook can have: the exported rows plus ROWS_ADDED_MAX added by mistake (each of those is then
# named as a failing row). Other sheets (Read me, Identifiers, a team's own notes) and columns are bounded too.
ROWS_ADDED_MAX = 100
OTHER_SHEET_MAX_ROWS = 200
COLUMNS_MAX = 30
SHEETS_MAX = 8
SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


def _check_size(file: IO[bytes], assessment: Assessment) -> None:
    """Raises WorkbookRefused naming the file, the sheet, its rows (or columns) and the most it can have. Reads
    the sheets as a stream (openpyxl's read-only mode) and stops at the first row past the limit, so the cost
    is bounded by the limit, not by the file; a dimension the file declares is only used to say how many."""
    name = display_name(getattr(file, "name", "") or "")
    most_rows = {
        "factors": FactorAssessment.objects.filter(assessment=assessment).count() + 1,
        "answers": QuestionAnswer.objects.filter(factor__assessment=assessment).count() + 1,
        "context": ContextNote.objects.filter(assessment=assessment).count() + 1,
    }
    # openpyxl reads all of a workbook's shared strings (its text cells) when it opens it, before any row:
    # at most one per cell the sheets may have, and no more text than the import accepts (4 bytes a character).
    rows = 2 * sum(most_rows.values()) + 3 * ROWS_ADDED_MAX + (SHEETS_MAX - 3) * OTHER_SHEET_MAX_ROWS
    text = (
        most_rows["factors"] * JUSTIFICATION_MAX + most_rows["answers"] * COMMENT_MAX + most_rows["context"] * NOTE_MAX
    )
    _check_shared_strings(file, name, most=rows * COLUMNS_MAX, most_bytes=4 * text + 4 * 1024 * 1024)
    try:
        file.seek(0)
        book = load_workbook(file, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, ParseError):
        return  # _open refuses it with its message
    try:
        if len(book.sheetnames) > SHEETS_MAX:
            raise WorkbookRefused(
                _(
                    "Nothing was imported: “%(file)s” has %(sheets)s sheets, and this assessment's workbook can have "
                    "at most %(most)s."
                )
                % {"file": name, "sheets": len(book.sheetnames), "most": SHEETS_MAX}
            )
        titles = sheet_titles()
        sheets = {sheet.title: sheet for sheet in book.worksheets}  # chart sheets have no rows
        # The sheets' names as exported (in the exporter's language), from the hidden identifiers.
        if "Identifiers" in sheets:
            identifiers = most_rows["factors"] + OTHER_SHEET_MAX_ROWS  # a row per key factor, and its own
            for row in _bounded_rows(sheets.pop("Identifiers"), identifiers, name):
                if len(row) >= 2 and isinstance(row[0], str) and row[0].startswith("sheet_") and row[1]:
                    titles[row[0].removeprefix("sheet_")] = str(row[1])
        limits = {titles[key]: most + ROWS_ADDED_MAX for key, most in most_rows.items()}
        for title, sheet in sheets.items():
            for _row in _bounded_rows(sheet, limits.get(title, OTHER_SHEET_MAX_ROWS), name):
                pass
    finally:
        book.close()
        file.seek(0)


def _check_shared_strings(file: IO[bytes], name: str, *, most: int, most_bytes: int) -> None:
    """Counts the shared strings (`<si>` elements) in the raw XML, chunk by chunk, stopping past `most`; nothing
    is parsed (a tag cut by a chunk's end goes uncounted, which a bound can afford)."""
    too_much = WorkbookRefused(
        _(
            "Nothing was imported: “%(file)s” holds more text than this assessment's workbook can. Export the "
            "workbook again and fill that copy, without adding rows or sheets."
        )
        % {"file": name}
    )
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            entry = next((e for e in archive.infolist() if e.filename.lower().endswith("sharedstrings.xml")), None)
            if entry is None:
                return
            if entry.file_size > most_bytes:
                raise too_much
            count = 0
            with archive.open(entry) as source:
                while chunk := source.read(64 * 1024):
                    count += len(SHARED_STRING.findall(chunk))
                    if count > most:
                        raise too_much
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError, OSError):
        return  # _open refuses it with its message
    finally:
        file.seek(0)


def _bounded_rows(sheet: Any, most: int, name: str) -> Any:
    """The rows of a read-only sheet, refused as soon as there are more than `most` or one is too wide."""
    declared = sheet.max_row if isinstance(sheet.max_row, int) else None
    sheet.reset_dimensions()  # count the rows that are there, whatever the file declares
    for n, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if n > most:
            rows = f"{declared:,}" if declared and declared > most else _("more than %(n)s") % {"n": f"{most:,}"}
            raise WorkbookRefused(
                _(
                    "Nothing was imported: the sheet “%(sheet)s” of “%(file)s” has %(rows)s rows, and it can have "
                    "at most %(most)s in this assessment's workbook. Export the workbook again and fill that copy, "
                    "without adding rows."
                )
                % {"sheet": sheet.title, "file": name, "rows": rows, "most": f"{most:,}"}
            )
        if len(row) > COLUMNS_MAX:
            raise WorkbookRefused(
                _(
                    "Nothing was imported: row %(row)s of the sheet “%(sheet)s” of “%(file)s” has %(columns)s "
                    "columns, and a sheet of this workbook can have at most %(most)s."
                )
                % {"row": n, "sheet": sheet.title, "file": name, "columns": f"{len(row):,}", "most": COLUMNS_MAX}
            )
        yield row


def _fingerprints(text: str) -> dict[str, str]:
    """The fingerprints of a factor row of the Identifiers sheet; anything else counts as none (each
    field then changed by the workbook is checked against what is stored: never a silent overwrite)."""
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def read_workbook(file: IO[bytes], assessment: Assessment) -> WorkbookChanges:
    """Checks the whole workbook against this assessment; every failing cell is collected before raising."""
    _check_size(file, assessment)
    reader = _Reader(_open(file), assessment)
    reader.read_factors()
    reader.read_answers()
    notes = reader.read_context()
    if reader.errors:
        raise WorkbookInvalid(reader.errors)
    return WorkbookChanges(
        assessment_id=assessment.pk,
        exported_at=reader.meta.get("exported_at", ""),
        factor_versions=reader.versions,
        factor_digests=reader.digests,
        factor_loaded=reader.loaded,
        context_digest=reader.meta.get("context_digest", ""),
        factors=list(reader.changes.values()),
        notes=notes,
    )


class _Reader:
    """One workbook read against one assessment: the hidden identifiers first (a workbook of another
    assessment is refused), then one method per sheet, each collecting its rows' errors in `errors` and
    what they change in `changes`."""

    def __init__(self, book: Any, assessment: Assessment) -> None:
        self.book = book
        self.meta: dict[str, str] = {}
        self.versions: dict[str, int] = {}
        self.digests: dict[str, str] = {}
        self.loaded: dict[str, dict[str, str]] = {}
        self._read_identifiers(assessment)
        self.levels = assessment.benchmark_version.rating_levels()
        self.factors = {
            f.key_factor.slug: f
            for f in FactorAssessment.objects.filter(assessment=assessment).select_related("key_factor")
        }
        self.questions = {
            (a.factor_id, a.question.number): a
            for a in QuestionAnswer.objects.filter(factor__assessment=assessment).select_related("question")
        }
        self.notes = {
            n.context_factor.number: n
            for n in ContextNote.objects.filter(assessment=assessment).select_related("context_factor")
        }
        self.errors: list[RowError] = []
        self.changes: dict[str, FactorChange] = {}

    def _read_identifiers(self, assessment: Assessment) -> None:
        refused_other = WorkbookRefused(
            _(
                "This workbook does not belong to this assessment: it was exported from another one, or its hidden "
                "identifiers were changed. Export this assessment's workbook and fill that one."
            )
        )
        if "Identifiers" not in self.book.sheetnames:
            raise refused_other
        rows = self.book["Identifiers"].iter_rows(min_col=1, max_col=5, values_only=True)
        for key, value, extra, digest, prints in rows:
            if key == "factor" and isinstance(value, str):
                self.versions[value] = int(extra) if isinstance(extra, int | float) else -1
                self.digests[value] = _cell_text(digest)
                if prints is not None:
                    self.loaded[value] = _fingerprints(_cell_text(prints))
            elif isinstance(key, str):
                self.meta[key] = _cell_text(value)
        if self.meta.get("format") != FORMAT or self.meta.get("assessment") != str(assessment.public_id):
            raise refused_other

    def _change_for(self, factor: FactorAssessment) -> FactorChange:
        slug = factor.key_factor.slug
        if slug not in self.changes:
            self.changes[slug] = FactorChange(factor=factor, rating=factor.rating, justification=factor.justification)
        return self.changes[slug]

    def _sheet(self, key: str) -> tuple[str, Worksheet | None]:
        title = self.meta.get(f"sheet_{key}") or sheet_titles()[key]
        return title, self.book[title] if title in self.book.sheetnames else None

    def _required_sheet(self, key: str) -> tuple[str, Worksheet]:
        title, sheet = self._sheet(key)
        if sheet is None:
            raise WorkbookRefused(_("The workbook has no sheet “%(sheet)s”; export it again.") % {"sheet": title})
        return title, sheet

    @staticmethod
    def _filled_rows(sheet: Worksheet, columns: int) -> Any:
        """(row number, the row's cells as text) for each row below the headings with anything in it."""
        for n, cells in enumerate(sheet.iter_rows(min_row=2, max_col=columns, values_only=True), start=2):
            texts = [_cell_text(v) for v in cells]
            if any(texts):
                yield n, texts

    @staticmethod
    def _misplaced(title: str, row: int, column: str) -> RowError:
        return RowError(
            title,
            row,
            column,
            "id",
            _(
                "this row was not in the exported workbook (or its hidden identifier was changed); "
                "write in the rows that are there, without adding or moving rows"
            ),
        )

    def _rating(self, title: str, n: int, text: str, heading: str) -> tuple[bool, int | None]:
        """(whether the cell is valid, the rating it names); an invalid one is recorded in `errors`."""
        if not text:
            return True, None
        found = re.match(r"^\s*(\d+)(?:\s*[–—-].*)?$", text)
        by_label = [lvl for lvl in self.levels if lvl.label.casefold() == text.casefold()]
        value = int(found.group(1)) if found else (by_label[0].value if by_label else None)
        if value is None or value not in {lvl.value for lvl in self.levels}:
            scale = ", ".join(lvl.number_and_words for lvl in self.levels)
            problem = _("“%(value)s” is not a rating on the scale (%(scale)s)") % {"value": text, "scale": scale}
            self.errors.append(RowError(title, n, "C", heading, problem))
            return False, None
        return True, value

    def read_factors(self) -> None:
        """The key factors' sheet: rating and justification."""
        title, sheet = self._required_sheet("factors")
        seen: set[str] = set()
        headings = [_("Key factor"), _("Title"), _("Rating"), _("Justification"), "id"]
        for n, texts in self._filled_rows(sheet, 5):
            slug = texts[4]
            factor = self.factors.get(slug)
            if factor is None or slug in seen:
                self.errors.append(self._misplaced(title, n, "E"))
                continue
            seen.add(slug)
            change = self._change_for(factor)
            justification = texts[3]
            valid, rating = self._rating(title, n, texts[2], headings[2])
            if not valid:
                continue
            if len(justification) > JUSTIFICATION_MAX:
                problem = _("longer than %(max)s characters") % {"max": f"{JUSTIFICATION_MAX:,}"}
                self.errors.append(RowError(title, n, "D", headings[3], problem))
                continue
            if rating is not None and not justification:
                self.errors.append(RowError(title, n, "D", headings[3], _("a rating needs a justification")))
                continue
            change.rating = rating
            change.justification = justification

    def read_answers(self) -> None:
        """The answers' sheet: an answer and a comment per guide question."""
        title, sheet = self._required_sheet("answers")
        headings = [_("Key factor"), _("Question"), _("Guide question"), _("Answer"), _("Comment"), "id"]
        answer_choices = answer_labels()
        answer_english = _english(QuestionAnswer.Answer.choices)
        allowed_answers = ", ".join(label.lower() for label in answer_choices.values())
        seen: set[str] = set()
        for n, texts in self._filled_rows(sheet, 6):
            row_id = texts[5]
            slug, _hash, number = row_id.rpartition("#")
            factor = self.factors.get(slug)
            answer = self.questions.get((factor.pk, int(number))) if factor is not None and number.isdigit() else None
            if factor is None or answer is None or row_id in seen:
                self.errors.append(self._misplaced(title, n, "F"))
                continue
            seen.add(row_id)
            chosen, comment = texts[3], texts[4]
            value = ""
            if chosen:
                found_value = _choice(chosen, answer_choices) or _choice(chosen, answer_english)
                if found_value is None:
                    problem = _("“%(value)s” is not one of %(allowed)s") % {"value": chosen, "allowed": allowed_answers}
                    self.errors.append(RowError(title, n, "D", headings[3], problem))
                    continue
                value = found_value
            if len(comment) > COMMENT_MAX:
                problem = _("longer than %(max)s characters") % {"max": f"{COMMENT_MAX:,}"}
                self.errors.append(RowError(title, n, "E", headings[4], problem))
                continue
            change = self._change_for(factor)
            change.answers[answer.question_id] = value
            change.comments[answer.question_id] = comment

    def read_context(self) -> dict[int, dict[str, str]] | None:
        """The context sheet (optional: None when the workbook has none): effect, competence and note."""
        title, sheet = self._sheet("context")
        if sheet is None:
            return None
        new_notes: dict[int, dict[str, str]] = {}
        headings = [_("Number"), _("Context factor"), _("Effect"), _("Competence"), _("Note"), "id"]
        effects = {v: str(label) for v, label in ContextNote.Effect.choices}
        competences = {v: str(label) for v, label in ContextNote.Competence.choices}
        effects_en = _english(ContextNote.Effect.choices)
        competences_en = _english(ContextNote.Competence.choices)
        seen: set[str] = set()
        for n, texts in self._filled_rows(sheet, 6):
            prefix, _hash, number = texts[5].partition("#")
            note = self.notes.get(int(number)) if prefix == "context" and number.isdigit() else None
            if note is None or texts[5] in seen:
                self.errors.append(self._misplaced(title, n, "F"))
                continue
            seen.add(texts[5])
            values: dict[str, str] = {}
            failed = False
            for key, column, text, choices, english in (
                ("effect", "C", texts[2], effects, effects_en),
                ("competence", "D", texts[3], competences, competences_en),
            ):
                values[key] = ""
                if text:
                    found_choice = _choice(text, choices) or _choice(text, english)
                    if found_choice is None:
                        allowed = ", ".join(c.lower() for c in choices.values())
                        problem = _("“%(value)s” is not one of %(allowed)s") % {"value": text, "allowed": allowed}
                        self.errors.append(RowError(title, n, column, headings[2 if key == "effect" else 3], problem))
                        failed = True
                        continue
                    values[key] = found_choice
            if len(texts[4]) > NOTE_MAX:
                problem = _("longer than %(max)s characters") % {"max": f"{NOTE_MAX:,}"}
                self.errors.append(RowError(title, n, "E", headings[4], problem))
                failed = True
            if failed:
                continue
            values["note"] = texts[4]
            new_notes[note.context_factor_id] = values
        return new_notes
