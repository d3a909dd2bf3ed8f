"""The real-world corpus (../shared/corpus/xlsx): every file either builds or is refused with a
one-line message, never a traceback or a hang; every sheet reads in full or is refused.

The manifest (corpus_manifest.json, like Apache POI's all-files test) records each file's
expected outcome, so a file that starts passing or failing differently is noticed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS
from conftest import time_limit as bounded

from kpireport.cli import cli
from kpireport.errors import WorkbookError
from kpireport.reading.xlsx import XlsxFile

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}")

MANIFEST: dict[str, str] = json.loads((Path(__file__).parent / "corpus_manifest.json").read_text(encoding="utf-8"))
REASONS = {
    "not a kpireport workbook": "is not a kpireport workbook",
    "encrypted or .xls": "is password-protected (encrypted) or an old .xls file",
    "XML entities (bomb)": "declares XML entities (a DTD), which Excel never writes",
    "damaged zip": "is damaged: its zip container cannot be read",
    ".xlsb": "binary .xlsb workbook",
    ".ods": "OpenDocument (.ods)",
    "Word document": "is a Word document",
    "duplicate parts": "two parts named",
    "no content types": "no [Content_Types].xml part",
    "empty file": "is empty (0 bytes)",
    "unreadable workbook": "cannot be read as an Excel workbook",
}
SECONDS_PER_FILE = 30

# Traps named in the corpus notes: values that a naive reader loses or invents.
EXPECTED_VALUES = {
    "poi__52348.xlsx": [50],  # dimension says A1; read-only openpyxl gives 0
    "poi__SampleSS.strict.xlsx": [4, 11, 0],  # Strict namespaces: openpyxl gives 0
    "calamine__strict_iso_paths.xlsx": [1368],
    "poi__59746_NoRowNums.xlsx": [571],  # rows and cells without r= references
    "sheetjs__wtf_path.xlsx": [15, 16],  # parts outside xl/
}


def corpus_files() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if p.suffix in {".xlsx", ".xlsm"}) if CORPUS.is_dir() else []


@pytest.fixture(name="time_limit")
def corpus_time_limit() -> Iterator[None]:
    with bounded(SECONDS_PER_FILE, "a corpus file"):
        yield


def test_the_manifest_covers_the_corpus() -> None:
    assert sorted(MANIFEST) == corpus_files()


@pytest.mark.usefixtures("time_limit")
@pytest.mark.parametrize("name", corpus_files())
@pytest.mark.parametrize("command", ["build", "check"])
def test_build_and_check_end_as_the_manifest_says(name: str, command: str, tmp_path: Path) -> None:
    path = CORPUS / name
    before = path.read_bytes()
    args = [command, str(path)] + (["-o", str(tmp_path), "--format", "json"] if command == "build" else [])
    result = CliRunner().invoke(cli, args)
    expected = MANIFEST[name]
    if expected == "builds":
        assert result.exit_code in (0, 1), result.output
    else:
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in result.output
        assert REASONS[expected.removeprefix("rejected: ")] in lines[0]
    assert path.read_bytes() == before


@pytest.mark.usefixtures("time_limit")
@pytest.mark.parametrize("name", corpus_files())
def test_every_sheet_reads_in_full_or_is_refused(name: str) -> None:
    try:
        book = XlsxFile(CORPUS / name)
    except WorkbookError:
        return
    counts: list[int] = []
    with book:
        for sheet in book.sheet_names:
            try:
                grid = book.grid(sheet)
            except WorkbookError as refused:
                assert sheet in str(refused)
                counts.append(-1)
                continue
            counts.append(sum(1 for row in grid.rows for value in row if value not in ("", None)))
    if name in EXPECTED_VALUES:
        assert counts == EXPECTED_VALUES[name]
