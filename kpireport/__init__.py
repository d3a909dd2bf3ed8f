"""kpireport: from a KPI workbook to a monthly review pack (PDF, HTML, JSON, deck, metrics workbook).

The command line is a thin layer over this API: :func:`build_pack` does what ``kpireport
build`` does for one workbook; :func:`read_workbook` and :func:`build_report` are its first two
steps, for a program that wants the figures alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kpireport.version import __version__

if TYPE_CHECKING:
    from pathlib import Path

    from kpireport.build import BuildOptions, BuildResult
    from kpireport.computing.report import Report, build_report
    from kpireport.errors import KpiReportError, WorkbookError
    from kpireport.reading.workbook import read_workbook


__all__ = ["KpiReportError", "Report", "WorkbookError", "__version__", "build_pack", "build_report", "read_workbook"]

# Imported when first used: ``python -m kpireport`` imports this package before its command
# line can take over Ctrl-C, so the package itself stays light (kpireport._entry).
_LAZY = {
    "Report": "kpireport.computing.report",
    "build_report": "kpireport.computing.report",
    "KpiReportError": "kpireport.errors",
    "WorkbookError": "kpireport.errors",
    "read_workbook": "kpireport.reading.workbook",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kpireport' has no attribute {name!r}")


def build_pack(path: Path, options: BuildOptions | None = None) -> BuildResult:
    """Build the pack of the workbook at ``path`` (``kpireport build``): every format in
    ``options.formats`` written to ``options.out_dir`` as a set, whole or not at all."""
    # Imported here: the renderers' modules cost start-up that a command reading figures
    # alone (check, plan) never needs.
    from kpireport.build import BuildOptions, build_pack

    return build_pack(path, options or BuildOptions())
