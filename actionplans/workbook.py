"""The plan as an XLSX workbook (openpyxl): a sheet of actions (with the timeline's overdue flags), one of
indicators, one of progress updates, each with a frozen, filtered header row and dates as dates, and an
"About" sheet naming the city, benchmark and round."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from actionplans.report import PlanContents

# A text cell starting with one of these would be read as a formula by a spreadsheet (formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _sheet(sheet: Worksheet, header: list[str], rows: list[list[object]], widths: list[int]) -> None:
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for n, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + n)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            if hasattr(cell.value, "isoformat"):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, str):
                # Text stays text, never a formula, whatever the team typed (shown with Excel's quote prefix).
                cell.data_type = "s"
                if cell.value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True


def plan_workbook(contents: PlanContents) -> bytes:
    assessment = contents.plan.assessment
    book = Workbook()
    actions_sheet = book.active
    assert actions_sheet is not None  # noqa: S101 - a new workbook has one sheet
    actions_sheet.title = _("Actions")[:31]
    action_rows: list[list[object]] = []
    indicator_rows: list[list[object]] = []
    update_rows: list[list[object]] = []
    for row in contents.rows:
        action = row.action
        factors = "; ".join(f"{kf.number}. {kf.title}" for kf in action.key_factors.all())
        action_rows.append(
            [
                row.number,
                action.title,
                action.description,
                factors,
                action.owner,
                action.partners,
                action.start,
                action.end,
                action.resources,
                action.budget,
                action.funding_source,
                action.get_competence_display() if action.competence else "",
                action.get_status_display(),
                _("yes") if row.overdue else _("no"),
                "; ".join(row.reasons),
                action.adapts_practice.title if action.adapts_practice else "",
                action.adapts_practice.city.name if action.adapts_practice else "",
                action.adaptation_kept,
                action.adaptation_changed,
                action.adaptation_why,
            ]
        )
        for indicator in action.indicators.all():
            indicator_rows.append(
                [
                    row.number,
                    action.title,
                    indicator.name,
                    indicator.baseline,
                    indicator.target,
                    indicator.current,
                    indicator.unit,
                    indicator.due,
                ]
            )
        for update in action.updates.all():
            by = str(update.by) if update.by else _("someone no longer registered")
            update_rows.append([row.number, action.title, update.on, update.text, by])
    _sheet(
        actions_sheet,
        [
            _("No."),
            _("Action"),
            _("Description"),
            _("Key factors addressed"),
            _("Owner"),
            _("Partners"),
            _("Start"),
            _("End"),
            _("Resources"),
            _("Budget (EUR)"),
            _("Funding source"),
            _("Competence level"),
            _("Status"),
            _("Overdue"),
            _("Why overdue"),
            _("Practice it adapts"),
            _("City of the practice"),
            _("What is kept"),
            _("What is changed"),
            _("Why it is changed"),
        ],
        action_rows,
        [6, 40, 60, 40, 24, 24, 12, 12, 30, 14, 24, 18, 14, 10, 40, 40, 20, 40, 40, 40],
    )
    _sheet(
        book.create_sheet(_("Indicators")[:31]),
        [
            _("No."),
            _("Action"),
            _("Indicator"),
            _("Baseline"),
            _("Target"),
            _("Current value"),
            _("Unit"),
            _("Due date"),
        ],
        indicator_rows,
        [6, 40, 40, 12, 12, 14, 14, 12],
    )
    _sheet(
        book.create_sheet(_("Progress updates")[:31]),
        [_("No."), _("Action"), _("Date"), _("What happened"), _("By")],
        update_rows,
        [6, 40, 12, 80, 30],
    )
    about = book.create_sheet(_("About")[:31])
    about.append([_("City"), assessment.workspace.city.name])
    about.append([_("Benchmark"), assessment.benchmark_version.title])
    about.append([_("Round"), assessment.round])
    about.append([_("Exported on"), contents.today])
    about["B4"].number_format = "yyyy-mm-dd"
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 60
    out = BytesIO()
    book.save(out)
    return out.getvalue()
