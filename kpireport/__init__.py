"""kpireport: from a KPI workbook to a monthly review pack (PDF, HTML, JSON)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from kpireport.errors import KpiReportError, WorkbookError
from kpireport.report import Report, build_report, to_json
from kpireport.workbook import read_workbook

try:
    __version__ = version("kpireport")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["KpiReportError", "Report", "WorkbookError", "__version__", "build_report", "read_workbook", "to_json"]
