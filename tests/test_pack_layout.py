"""The PDF pack is laid out compactly (issue #30): its page count, the contents' page numbers,
the trend charts' month labels and clipped names, read back from packs built here with pypdf."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SAMPLE_EN
from pypdf import PdfReader

from kpireport.build import BuildOptions, build_pack

# The English sample's contents, in order (the sample has no changes and no quarterly review).
SAMPLE_SECTIONS = [
    "Key messages",
    "Executive summary",
    "What drives the goals",
    "Marketing",
    "Sales",
    "Customer Success",
    "HR",
    "Trends",
    "KGI → KPI tree",
    "Balanced scorecard",
    "Actions",
    "KPI design findings",
]
QUARTERS = re.compile(r"Apr\s+Jul\s+Oct\s+Jan")


def _pdf(workbook: Path, out: Path) -> Path:
    result = build_pack(workbook, BuildOptions(out_dir=out, formats=("pdf",)))
    return next(path for path in result.outputs if path.suffix == ".pdf")


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> PdfReader:
    return PdfReader(_pdf(SAMPLE_EN, tmp_path_factory.mktemp("en")))


@pytest.fixture(scope="module")
def bench_pdf(tmp_path_factory: pytest.TempPathFactory) -> PdfReader:
    """The bench's 50 KPI x 24 month workbook (bench/run.py writes it), built as a pack."""
    out = tmp_path_factory.mktemp("bench50")
    workbook = out / "bench50.xlsx"
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--generate", str(workbook), "50", "24", "en", "0", "0"],
        check=True,
        timeout=300,
    )
    return PdfReader(_pdf(workbook, out))


def _pages(reader: PdfReader) -> list[str]:
    return [page.extract_text() or "" for page in reader.pages]


def _flat(text: str) -> str:
    """The text with its line breaks as spaces: a name wrapped over two lines reads whole."""
    return re.sub(r"\s+", " ", text)


def test_the_english_sample_fits_ten_pages(sample_pdf: PdfReader) -> None:
    # 16 pages before #30, with several near empty; the target is at most 10.
    assert len(sample_pdf.pages) <= 10


def test_a_pack_of_50_kpis_fits_eighteen_pages(bench_pdf: PdfReader) -> None:
    assert len(bench_pdf.pages) <= 18  # 25 before #30


def test_the_contents_give_the_page_each_section_starts_on(sample_pdf: PdfReader) -> None:
    pages = _pages(sample_pdf)
    # Read as laid out: two lists side by side, each line "N. Title   page".
    cover = sample_pdf.pages[0].extract_text(extraction_mode="layout")
    entries = re.findall(r"(\d+)\. (\S+(?: \S+)*) +(\d+)", cover)
    listed = [(title, page) for _, title, page in sorted(entries, key=lambda e: int(e[0]))]
    assert [title for title, _ in listed] == SAMPLE_SECTIONS
    # Where each heading is: its bookmark's page, and its words on that page.
    bookmarks = {
        item.title: sample_pdf.get_destination_page_number(item) + 1
        for item in sample_pdf.outline
        if not isinstance(item, list)
    }
    for title, number in listed:
        assert bookmarks[title] == int(number), title
        assert title in pages[int(number) - 1], title
    # Sections share pages: the twelve of them are on fewer than twelve pages.
    assert len({number for _, number in listed}) < len(SAMPLE_SECTIONS)


def test_every_trend_chart_names_the_quarters_months(sample_pdf: PdfReader, bench_pdf: PdfReader) -> None:
    # A fiscal year from April: each chart labels April, July, October and January.
    assert sum(len(QUARTERS.findall(text)) for text in _pages(sample_pdf)) == 18  # the sample's 18 KPIs
    assert sum(len(QUARTERS.findall(text)) for text in _pages(bench_pdf)) == 50


def test_trend_titles_wrap_instead_of_being_cut(sample_pdf: PdfReader) -> None:
    trends = next(text for text in _pages(sample_pdf) if "Apr 2026 – Mar 2027" in text)
    # Shown cut to "Lead-to-opportunity conversion rate (C…" on one line before #30: the name
    # now takes two lines of its card, whole.
    wrapped = re.search(r"Lead-to-opportunity\s*\n\s*conversion rate \(CVR\)", trends)
    assert wrapped, trends
    assert "…" not in trends


LONG_NAME = "Revenue from new enterprise customers signed through regional partner referrals and resellers"


def _text_after_an_ellipsis(text: str, names: list[str]) -> list[str]:
    """Where the text layer reads a KPI's name on through an ellipsis: the whole name before it,
    or the rest of the name after it."""
    found = []
    for match in re.finditer("…", text):
        before, after = text[: match.start()], text[match.end() :].lstrip()
        for name in names:
            kept = max((k for k in range(6, len(name) + 1) if before.endswith(name[:k])), default=0)
            if kept == len(name) or (kept and after.startswith(name[kept:].strip()[:4])):
                found.append(f"{name[:kept]}…{after[:20]}")
    return found


def test_a_name_too_long_for_its_chart_is_cut_in_the_text_layer_too(
    make_workbook: Callable[..., Path], tmp_path: Path
) -> None:
    def long_name(sheets: dict[str, Any]) -> None:
        sheets["KPI"][1][1] = LONG_NAME

    pages = [_flat(text) for text in _pages(PdfReader(_pdf(make_workbook(long_name), tmp_path)))]
    trends = next(text for text in pages if "Apr 2026 – Mar 2027" in text)
    assert re.search(r"Revenue from new enterprise customers signed[\w ]*…", trends), trends
    assert "resellers" not in trends
    assert _text_after_an_ellipsis(" ".join(pages), [LONG_NAME, "Cost per lead"]) == []
    # The department's table has the whole name.
    assert any(LONG_NAME in text for text in pages)


def test_the_check_finds_a_name_read_through_its_ellipsis() -> None:
    # The text layer a CSS ellipsis left: the whole title under the glyph, or its tail after it.
    assert _text_after_an_ellipsis("Trends Lead-to-opportunity conversion rate (C…VR) Win rate", [
        "Lead-to-opportunity conversion rate (CVR)"
    ])  # fmt: skip
    assert _text_after_an_ellipsis("x Cost per lead… y", ["Cost per lead"])
    assert not _text_after_an_ellipsis("x Cost per… y", ["Cost per lead"])
