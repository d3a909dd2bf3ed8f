"""``kpireport plan`` (SPEC §3a): back-cast one driver KPI's monthly targets from its KGI, and
save a copy of the workbook with them.

The copy is the input's package with only the solved KPI's target cells written
(:mod:`kpireport.delivering.xlsx_copy`): every other part, charts, pictures and macros
included, is copied byte for byte. The input is never written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from string import ascii_uppercase

from kpireport.computing.drivers import Implied, Solution, implied_value, kgi_months, solve
from kpireport.errors import KpiReportError, OutputError, WorkbookError
from kpireport.formula import Formula
from kpireport.model import CellRef, Kgi, Kpi, Month, Workbook
from kpireport.reading.xlsx import cell_name


@dataclass(frozen=True)
class Plan:
    kgi: Kgi
    formula: Formula
    kpi: Kpi
    months: tuple[Month, ...]
    solution: Solution
    implied_after: float | None

    @property
    def reached(self) -> bool:
        return self.solution.factor is not None


def make_plan(workbook: Workbook, kgi_id: str, kpi_id: str, start: Month) -> Plan:
    """Solve ``kpi_id``'s targets for KGI ``kgi_id``; a KpiReportError names what is missing."""
    kgi = next((k for k in workbook.kgis if k.id == kgi_id), None)
    if kgi is None:
        known = ", ".join(k.id for k in workbook.kgis) or "none"
        raise KpiReportError(f"there is no KGI {kgi_id!r} on the KGI sheet (its KGIs: {known}).")
    where = (
        f"{kgi.source.sheet} sheet, row {kgi.source.cell.lstrip(ascii_uppercase)}" if kgi.source else "the KGI sheet"
    )
    if kgi.formula is None:
        raise KpiReportError(
            f"KGI {kgi_id!r} has no formula ({where}); type its driver tree in the formula column, "
            "e.g. [SAL-02] * [SAL-04]."
        )
    if kgi.target is None:
        raise KpiReportError(f"KGI {kgi_id!r} has no target ({where}); type the target to solve for.")
    formula = kgi.formula
    if kpi_id not in formula.kpis:
        raise KpiReportError(
            f"KPI {kpi_id!r} is not in KGI {kgi_id!r}'s formula {formula.text}; choose one of "
            f"{', '.join(formula.kpis)}."
        )
    kpi = next(k for k in workbook.kpis if k.id == kpi_id)
    months = kgi_months(kgi, kgi.start or start)
    implied = implied_value(formula, workbook.targets, months)
    _check_targets(workbook, implied)
    if implied.overflows is not None:
        raise KpiReportError(
            f"KGI {kgi_id!r}: with today's targets its formula {formula.text} gives a number too large to compute "
            f"(beyond ±1.8e308 from {implied.overflows} on; {where}); check the formula's constants."
        )
    solution = solve(formula, kpi_id, workbook.targets, months, kgi.target)
    after = None
    if solution.factor is not None:
        solved = {**workbook.targets, kpi_id: solution.targets}
        after = implied_value(formula, solved, months).value
    return Plan(kgi, formula, kpi, tuple(months), solution, after)


def _check_targets(workbook: Workbook, implied: Implied) -> None:
    """Back-casting needs every driver's target in every month of the KGI."""
    if implied.missing is not None:
        kpi, month = implied.missing
        raise _target_error(
            workbook,
            kpi,
            month,
            "has no target; type one (each month from the KGI's start to its deadline needs one).",
        )
    if implied.divides_by_zero is not None:
        raise KpiReportError(
            f"with the targets of {implied.divides_by_zero} the KGI's formula divides by zero; "
            "check the targets of the KPIs it divides by."
        )


def _target_error(workbook: Workbook, kpi: str, month: Month, what: str) -> KpiReportError:
    layout = workbook.target_layout
    row = layout.rows.get(kpi) if layout else None
    column = layout.columns.get(month) if layout else None
    if layout is not None and row is not None and column is not None:
        return WorkbookError(f"{kpi} {month} {what}", sheet=layout.sheet, cell=cell_name(row, column))
    sheet = layout.sheet if layout else "Targets"
    place = "row" if row is None else f"{month} column"
    return WorkbookError(f"{kpi} {month} {what} The sheet has no {place} for it yet.", sheet=sheet)


def target_cells(workbook: Workbook, kpi: str, months: tuple[Month, ...]) -> dict[Month, CellRef]:
    layout = workbook.target_layout
    assert layout is not None
    row = layout.rows[kpi]
    return {m: CellRef(layout.sheet, cell_name(row, layout.columns[m])) for m in months}


@dataclass(frozen=True)
class Written:
    cells: int
    replaced_formulas: int


def check_destination(source: Path, destination: Path) -> Path:
    """Refuse, before any work or any folder is made, a copy that would overwrite the input or
    is not an .xlsx; return the path the copy is to be written at.

    The folder is resolved as the system will resolve it (symbolic links, then ``..``); a part
    of it that does not exist yet is taken lexically, so ``in/nope/../wb.xlsx`` is ``in/wb.xlsx``
    and not a new folder ``in/nope`` beside the input. The copy is written at that resolved
    path, so the file checked is the file written. The file name itself is not resolved: an
    existing link there is replaced, never written through, but one to the input is refused.
    """
    if destination.suffix.lower() != ".xlsx":
        raise KpiReportError(f"--write {destination.name} must end in .xlsx.")
    try:
        real = destination.parent.resolve() / destination.name
    except (OSError, RuntimeError):  # Python 3.11 raises RuntimeError on a loop of links
        raise OutputError(
            f"cannot write {destination}: its folder is a loop of symbolic links; choose another folder."
        ) from None
    if _same_file(real, source):
        raise KpiReportError(
            f"--write {destination} is the workbook itself; the input is never modified. Name a new file."
        )
    return real


def _same_file(path: Path, source: Path) -> bool:
    """The same file by its device and inode: through symbolic links and hard links too."""
    try:
        return path.samefile(source)
    except OSError:  # one of them does not exist (or cannot be seen): not the same file
        return False


def write_plan(source: Path, destination: Path, workbook: Workbook, plan: Plan) -> Written:
    """A copy of ``source`` at ``destination`` with the solved targets, written whole or not
    at all; ``source`` is only read."""
    # Imported here: check and build read this module (for the plan's table), not the copy.
    from kpireport.delivering.xlsx_copy import write_copy

    destination = check_destination(source, destination)
    edits: dict[str, dict[str, float | str]] = {}
    for month, ref in target_cells(workbook, plan.kpi.id, plan.months).items():
        edits.setdefault(ref.sheet, {})[ref.cell] = plan.solution.targets[month]
    copied = write_copy(source, destination, edits)
    return Written(copied.cells, copied.replaced_formulas)
