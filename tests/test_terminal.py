"""What the terminal shows: the batch summary fits 80 columns, workbook text is escaped."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from kpireport.batch import Outcome
from kpireport.terminal import print_summary, safe_text


def test_the_batch_summary_fits_an_80_column_terminal() -> None:
    out = Path("/srv/finance/monthly-review-packs/2026")
    outcomes = [
        Outcome(
            Path(f"/srv/finance/inbox/kpi-workbook-{unit}-2026.xlsx"),
            "2026-10",
            (("green", 9), ("amber", 6), ("red", 3), ("no_data", 0)),
            tuple(out / f"kpi-workbook-{unit}-2026-2026-10.{ext}" for ext in ("pdf", "html", "json")),
        )
        for unit in ("sales", "marketing", "support")
    ]
    buffer = io.StringIO()
    print_summary(outcomes, out, Console(file=buffer, width=80, color_system=None))
    lines = buffer.getvalue().splitlines()
    assert all(len(line) <= 80 for line in lines)
    for unit in ("sales", "marketing", "support"):  # one line each, name unbroken
        [row] = [line for line in lines if f"kpi-workbook-{unit}-2026.xlsx" in line]
        assert "2026-10" in row and "pdf html json" in row
    assert sum(str(out) in line for line in lines) == 1  # the folder is named once


def test_control_characters_are_shown_escaped() -> None:
    assert safe_text("Leads\x1b]2;owned\x07\u202eabc") == "Leads\\x1b]2;owned\\x07\\u202eabc"
    assert safe_text("売上 €") == "売上 €"
