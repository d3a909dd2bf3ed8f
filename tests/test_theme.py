"""Branding: theme keys validated with clear messages, and what a theme changes in the pack."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_EN, SAMPLE_JA
from pypdf import PdfReader

from kpireport import __version__
from kpireport.build import BuildOptions, build_pack
from kpireport.cli import cli
from kpireport.errors import ThemeError
from kpireport.formatting import Formatter
from kpireport.presenting.theme import example_theme, load_theme

LOGO = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def theme_file(tmp_path: Path, text: str) -> Path:
    (tmp_path / "logo.svg").write_bytes(LOGO)
    path = tmp_path / "brand.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_theme_loads(tmp_path: Path) -> None:
    theme = load_theme(theme_file(tmp_path, example_theme('Northwind "North" \\ Co.')))
    assert theme.company == 'Northwind "North" \\ Co.'
    assert theme.logo_data_uri is None  # the example names no file that is not there
    assert theme.colors["primary"] == "#1f3a5f"
    assert "@page { size: A4 landscape; }" in theme.css()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'colour = "red"',
            "theme brand.toml: colour: unknown key; the keys here are colors, company, font, footer, logo,",
        ),
        ('[colors]\nprimary = "red"', "colors.primary: 'red' is not a colour; write #rrggbb"),
        ('[colors]\nprimary = "#fff; } body { background: url(http://x) }"', "is not a colour"),
        ('[font]\nfamily = "x\\"; } * { color: red"', "font.family:"),
        ('[page]\nsize = "B5"', "page.size: 'B5' is not one of A4, A3, Letter, Legal."),
        ('logo = "missing.png"', "logo: "),
        ('logo = "brand.toml"', "logo: brand.toml is neither a PNG nor an SVG image."),
        ("company = [", "is not valid TOML"),
        ('[pdf]\naudit = "yes"', "pdf.audit: must be true or false."),
    ],
)
def test_invalid_themes_are_refused_with_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ThemeError) as caught:
        load_theme(theme_file(tmp_path, text))
    assert message in str(caught.value)


def test_build_with_a_bad_theme_exits_2(tmp_path: Path) -> None:
    path = theme_file(tmp_path, '[colors]\naccent = "blue"')
    result = CliRunner().invoke(cli, ["build", str(SAMPLE_EN), "-o", str(tmp_path), "--theme", str(path)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: theme brand.toml: colors.accent: 'blue' is not a colour; write #rrggbb, e.g. #1f3a5f."
    )


def test_a_theme_brands_the_pack(tmp_path: Path) -> None:
    path = theme_file(
        tmp_path,
        'company = "Mirai Holdings"\nlogo = "logo.svg"\nfooter = "Confidential"\n'
        '[colors]\nprimary = "#7b1e3a"\n[numbers]\nlarge_yen = "man_oku"\n',
    )
    result = build_pack(
        SAMPLE_JA, BuildOptions(out_dir=tmp_path / "out", formats=("html", "pdf"), theme=load_theme(path))
    )
    html = next(p for p in result.outputs if p.suffix == ".html").read_text(encoding="utf-8")
    assert "border-bottom: 2px solid #7b1e3a" in html and 'src="data:image/svg+xml;base64,' in html
    assert 'stroke="#7b1e3a"' in html or 'fill="#7b1e3a"' in html  # charts follow the brand
    assert "億円" in html and "万円" in html
    pdf = PdfReader(next(p for p in result.outputs if p.suffix == ".pdf"))
    inner = pdf.pages[3].extract_text() or ""
    assert "Mirai Holdings" in inner and "Confidential" in inner and "2026年10月" in inner


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1_123_456_789, "11.23億円"), (2_048_000, "205万円"), (-14_750_520, "−1,475万円"), (9_999, "9,999円")],
)
def test_large_yen_as_man_and_oku(value: float, expected: str) -> None:
    assert Formatter("ja", "JPY", large_yen=True).money(value) == expected
    assert Formatter("en", "JPY", large_yen=True).money(value).startswith(("¥", "−¥"))


def test_audit_attaches_the_workbook_and_prints_its_hash(tmp_path: Path) -> None:
    result = build_pack(SAMPLE_EN, BuildOptions(out_dir=tmp_path, formats=("pdf",), audit=True))
    reader = PdfReader(result.outputs[0])
    assert reader.attachments[SAMPLE_EN.name] == [SAMPLE_EN.read_bytes()]
    digest = hashlib.sha256(SAMPLE_EN.read_bytes()).hexdigest()
    last = (reader.pages[-1].extract_text() or "").replace("\n", " ")
    assert digest in last and f"kpireport {__version__}" in last and "kpi-sample-en.xlsx" in last
    metadata = reader.xmp_metadata
    assert metadata is not None and b"pdfaid" in io.BytesIO(reader.trailer["/Root"]["/Metadata"].get_data()).read()


def test_every_page_but_the_cover_carries_company_month_and_page_number(tmp_path: Path) -> None:
    result = build_pack(SAMPLE_EN, BuildOptions(out_dir=tmp_path, formats=("pdf",)))
    pages = PdfReader(result.outputs[0]).pages
    for number, page in enumerate(pages[1:], start=2):
        text = page.extract_text() or ""
        assert "Northwind Trading Co." in text and "Oct 2026" in text and f"{number} / {len(pages)}" in text


def test_init_writes_an_example_theme_that_builds_as_written(tmp_path: Path) -> None:
    workbook = tmp_path / "kpi.xlsx"
    result = CliRunner().invoke(cli, ["init", str(workbook), "--theme", "--example", "--company", "Acme & Söhne"])
    assert result.exit_code == 0, result.output
    assert load_theme(tmp_path / "brand.toml").company == "Acme & Söhne"
    built = CliRunner().invoke(
        cli, ["build", str(workbook), "--theme", str(tmp_path / "brand.toml"), "-o", str(tmp_path), "--format", "pdf"]
    )
    assert built.exit_code == 0, built.output
    pdf = next(tmp_path.glob("kpi-*.pdf"))
    assert "Acme & Söhne" in (PdfReader(pdf).pages[0].extract_text() or "")
