"""The renderer fetches nothing it was not given, is time-bound, and never half-writes."""

from __future__ import annotations

import logging
import os
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SAMPLE_EN

from kpireport.build import BuildOptions, build_pack
from kpireport.delivering.output import atomic_path
from kpireport.presenting import pack_html as render


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """A loopback TCP server that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list[str] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            seen.append(connection.recv(200).decode("latin-1"))
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


def test_a_hostile_template_fetches_nothing(
    listener: tuple[int, list[str]], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port, seen = listener
    base = f"http://127.0.0.1:{port}"
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "pack.html.j2").write_text(
        f"""<html><head><link rel="stylesheet" href="{base}/a.css">
        <style>@import url({base}/b.css); body {{ background: url(file:///etc/hostname); }}
        @font-face {{ font-family: x; src: url({base}/f.woff); }}</style></head>
        <body><img src="{base}/c.png"><img src="file:///etc/passwd"><iframe src="{base}/d"></iframe>
        <object data="{base}/e.svg"></object><p>{{{{ pack.company }}}}</p></body></html>""",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        result = build_pack(SAMPLE_EN, BuildOptions(out_dir=tmp_path / "out", formats=("pdf",), templates=templates))
    assert result.outputs[0].read_bytes().startswith(b"%PDF")
    assert seen == []
    refused = caplog.text
    assert "kpireport does not fetch 'file:///etc/passwd'" in refused
    assert f"kpireport does not fetch '{base}/c.png'" in refused


def test_an_interrupted_build_leaves_no_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def interrupted(html: str, **options: object) -> bytes:
        raise KeyboardInterrupt

    monkeypatch.setattr(render, "render_pdf", interrupted)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        build_pack(SAMPLE_EN, BuildOptions(out_dir=out))
    assert not out.exists() or list(out.iterdir()) == []


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "pack.json"
    target.write_text("old")

    with pytest.raises(OSError, match="disk full"), atomic_path(target) as temporary:
        temporary.write_text("half a pa")
        raise OSError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["pack.json"]


def build_html(workbook: Path, templates: Path, out: Path, temp: Path) -> str:
    """One `kpireport build --format html` in its own process, as each month's run is, with the
    system's temp folder (where compiled templates are kept between runs) at ``temp``."""
    env = {**os.environ, "TMPDIR": str(temp)}
    command = [sys.executable, "-m", "kpireport", "build", str(workbook), "--templates", str(templates), "-o",
               str(out), "--format", "html"]  # fmt: skip
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    return next(out.glob("*.html")).read_text(encoding="utf-8")


def test_an_edited_template_shows_in_the_next_build(tmp_path: Path) -> None:
    templates, temp = tmp_path / "templates", tmp_path / "temp"
    templates.mkdir()
    temp.mkdir()
    template = templates / "pack.html.j2"
    template.write_text("<html><body><p>{{ pack.company }}</p><p>Reviewed by the CFO</p></body></html>")
    first = build_html(SAMPLE_EN, templates, tmp_path / "one", temp)
    # The compiled template was kept, where only this user can read or replace it.
    cache = temp / f"_jinja2-cache-{os.getuid()}"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert any(entry.name.startswith("__kpireport_") for entry in cache.iterdir())
    template.write_text("<html><body><p>{{ pack.company }}</p><p>Approved by the board</p></body></html>")
    second = build_html(SAMPLE_EN, templates, tmp_path / "two", temp)
    assert "Reviewed by the CFO" in first and "Approved by the board" not in first
    assert "Approved by the board" in second and "Reviewed by the CFO" not in second


def test_a_planted_cache_folder_is_not_used(tmp_path: Path) -> None:
    """Another user of the machine who put a link where the compiled templates go gets
    nothing written through it, and the build still renders."""
    templates, temp, elsewhere = tmp_path / "templates", tmp_path / "temp", tmp_path / "elsewhere"
    for folder in (templates, temp, elsewhere):
        folder.mkdir()
    (templates / "pack.html.j2").write_text("<html><body><p>{{ pack.company }} board pack</p></body></html>")
    (temp / f"_jinja2-cache-{os.getuid()}").symlink_to(elsewhere)
    page = build_html(SAMPLE_EN, templates, tmp_path / "out", temp)
    assert "board pack" in page
    assert list(elsewhere.iterdir()) == []
