"""kpireport: from a KPI workbook to a monthly review pack (PDF, HTML, JSON)."""

from __future__ import annotations

from kpireport.computing.report import Report, build_report, to_json
from kpireport.errors import KpiReportError, WorkbookError
from kpireport.reading.workbook import read_workbook

# The one place the version is written (pyproject reads it from here): a literal rather than
# importlib.metadata, which costs every command about 55 ms of start-up.
__version__ = "0.1.0"

__all__ = ["KpiReportError", "Report", "WorkbookError", "__version__", "build_report", "read_workbook", "to_json"]
