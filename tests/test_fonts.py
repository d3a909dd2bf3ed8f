"""A pack is never written with text its fonts cannot draw (SPEC §6): fontconfig is asked
before rendering. The tofu case is made for real with a fontconfig configuration that rejects
every font covering Japanese."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE_EN, SAMPLE_JA

from kpireport.presenting.fonts import fontconfig

pytestmark = pytest.mark.skipif(fontconfig() is None, reason="fontconfig is not installed")

NO_JAPANESE = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont>
    <pattern><patelt name="lang"><string>ja</string></patelt></pattern>
  </rejectfont></selectfont>
</fontconfig>
"""


def kpireport(*args: str | Path, fontconfig_file: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if fontconfig_file is not None:
        env["FONTCONFIG_FILE"] = str(fontconfig_file)
    return subprocess.run(
        [sys.executable, "-m", "kpireport", *map(str, args)], capture_output=True, text=True, env=env, check=False
    )


@pytest.fixture(scope="module")
def no_japanese(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fonts") / "fonts.conf"
    path.write_text(NO_JAPANESE, encoding="utf-8")
    return path


def test_a_japanese_pack_without_a_japanese_font_stops_before_writing(tmp_path: Path, no_japanese: Path) -> None:
    out = tmp_path / "out"
    shutil.copy(SAMPLE_JA, tmp_path / "ja.xlsx")
    result = kpireport("build", tmp_path / "ja.xlsx", "-o", out, fontconfig_file=no_japanese)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "Error: no installed font can draw Japanese text, so the PDF would show boxes instead of it; nothing was "
        "written. Install one: sudo apt-get install fonts-ipaexfont-gothic (or fonts-noto-cjk); kpireport doctor "
        "shows the fonts found."
    )
    assert not out.exists() or not list(out.iterdir())


def test_an_english_pack_and_json_still_build_without_a_japanese_font(tmp_path: Path, no_japanese: Path) -> None:
    shutil.copy(SAMPLE_EN, tmp_path / "en.xlsx")
    shutil.copy(SAMPLE_JA, tmp_path / "ja.xlsx")
    english = kpireport("build", tmp_path / "en.xlsx", "-o", tmp_path, "--format", "pdf", fontconfig_file=no_japanese)
    assert english.returncode == 0, english.stderr
    json_only = kpireport(
        "build", tmp_path / "ja.xlsx", "-o", tmp_path, "--format", "json", fontconfig_file=no_japanese
    )
    assert json_only.returncode == 0, json_only.stderr


def test_a_theme_font_that_is_not_installed_stops_the_build(tmp_path: Path) -> None:
    theme = tmp_path / "brand.toml"
    theme.write_text('[font]\nfamily = "Nonexistent Grotesk"\n', encoding="utf-8")
    result = kpireport("build", SAMPLE_EN, "-o", tmp_path / "out", "--theme", theme, "--format", "pdf")
    assert result.returncode == 2
    assert "the theme's [font] family 'Nonexistent Grotesk' is not installed" in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_fontconfig_reports_the_installed_japanese_font() -> None:
    fc = fontconfig()
    assert fc is not None
    japanese = fc.coverage("ja")
    assert japanese.ok and japanese.picked in japanese.families
