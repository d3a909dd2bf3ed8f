"""A pip-installed kpireport must find its templates: build the wheel and run from it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

pytest.importorskip("hatchling")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("kpireport-*.whl")
    return built


def test_wheel_ships_the_templates_and_the_console_script(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "kpireport/templates/pack.html.j2" in names
    assert "kpireport/templates/pack.css" in names
    assert "kpireport/data/examples.toml" in names  # what `init` writes
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "kpireport = kpireport._entry:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_package_renders_outside_the_repository(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    sample = REPO / "sample_workbooks" / "kpi-sample-en.xlsx"
    script = (
        "import kpireport, pathlib, sys\n"
        "from kpireport.presenting.pack_html import templates_root\n"
        "from kpireport.build import BuildOptions, build_pack\n"
        f"assert pathlib.Path(kpireport.__file__).is_relative_to({str(site)!r}), kpireport.__file__\n"
        f"assert str(templates_root()).startswith({str(site)!r}), templates_root()\n"
        f"result = build_pack(pathlib.Path({str(sample)!r}),"
        " BuildOptions(out_dir=pathlib.Path('out'), formats=('html',)))\n"
        "print(result.outputs[0].read_text()[:200])\n"
        "from kpireport.scaffold import InitOptions, write_template\n"
        "write_template(pathlib.Path('new.xlsx'), InitOptions(example=True))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "<!DOCTYPE html>" in run.stdout
