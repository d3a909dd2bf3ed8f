"""The PDF is rendered in a process of its own: what it does, and how its failures reach the
build as one message with nothing written."""

from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path

import pytest
from conftest import SAMPLE_EN

from kpireport.build import BuildOptions, build_pack
from kpireport.errors import RenderError
from kpireport.presenting import pack_html, pdf_process

real_render_pdf = pack_html.render_pdf


def _recording_pid(into: Path) -> object:
    def render(html: str, **options: object) -> bytes:
        into.write_text(str(os.getpid()))
        return real_render_pdf(html, **options)  # type: ignore[arg-type]

    return render


def test_the_pdf_is_rendered_in_another_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen = tmp_path / "pid"
    monkeypatch.setattr(pack_html, "render_pdf", _recording_pid(seen))
    result = build_pack(SAMPLE_EN, BuildOptions(out_dir=tmp_path / "out", formats=("pdf", "html")))
    assert int(seen.read_text()) != os.getpid()
    pdf = next(p for p in result.outputs if p.suffix == ".pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_where_processes_cannot_be_forked_it_renders_here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen = tmp_path / "pid"
    monkeypatch.setattr(pack_html, "render_pdf", _recording_pid(seen))
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    result = build_pack(SAMPLE_EN, BuildOptions(out_dir=tmp_path / "out", formats=("pdf",)))
    assert int(seen.read_text()) == os.getpid()
    assert result.outputs[0].read_bytes().startswith(b"%PDF-")


def test_a_renderer_that_is_killed_ends_in_a_message_and_no_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def killed(html: str, **options: object) -> bytes:
        os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
        raise AssertionError("unreachable")

    monkeypatch.setattr(pack_html, "render_pdf", killed)
    out = tmp_path / "out"
    with pytest.raises(RenderError, match=r"rendering the PDF stopped unexpectedly \(signal 9\); the build wrote"):
        build_pack(SAMPLE_EN, BuildOptions(out_dir=out))
    assert not out.exists() or list(out.iterdir()) == []


def test_a_render_past_its_time_is_stopped_and_writes_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pdf_process, "RENDER_SECONDS", 0.001)
    out = tmp_path / "out"
    before = set(multiprocessing.active_children())
    with pytest.raises(RenderError, match=r"rendering the PDF took longer than 0\.001 s and was stopped"):
        build_pack(SAMPLE_EN, BuildOptions(out_dir=out))
    assert not out.exists() or list(out.iterdir()) == []
    assert set(multiprocessing.active_children()) == before  # the renderer was stopped


def test_rendering_here_is_time_bound_too() -> None:
    # Where the PDF renders in the build's own process, a signal bounds it. Tested on a loop
    # of plain Python: the signal must not land inside a library holding a lock of this one.
    with pytest.raises(RenderError, match=r"took longer than 0\.05 s"), pdf_process.time_bound(0.05):
        while True:
            pass


def test_the_renderers_own_errors_reach_the_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def refusing(html: str, **options: object) -> bytes:
        raise RenderError("template pack.html.j2 line 3: the renderer says no")

    monkeypatch.setattr(pack_html, "render_pdf", refusing)
    out = tmp_path / "out"
    with pytest.raises(RenderError, match="the renderer says no"):
        build_pack(SAMPLE_EN, BuildOptions(out_dir=out))
    assert not out.exists() or list(out.iterdir()) == []


class _Unpicklable(Exception):
    def __init__(self) -> None:
        super().__init__("a native handle")
        self.handle = lambda: None  # a lambda cannot cross a pipe


def test_an_error_that_cannot_cross_the_pipe_is_still_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def failing(html: str, **options: object) -> bytes:
        raise _Unpicklable

    monkeypatch.setattr(pack_html, "render_pdf", failing)
    with pytest.raises(RenderError, match=r"rendering the PDF failed: _Unpicklable: a native handle"):
        build_pack(SAMPLE_EN, BuildOptions(out_dir=tmp_path / "out", formats=("pdf",)))


def test_a_workbook_that_fails_stops_the_renderer(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    before = set(multiprocessing.active_children())
    with pytest.raises(Exception, match=r"broken\.xlsx"):
        build_pack(broken, BuildOptions(out_dir=tmp_path / "out"))
    assert set(multiprocessing.active_children()) == before  # no renderer left running


def test_a_renderer_whose_build_is_gone_stops_quietly(capfd: pytest.CaptureFixture[str]) -> None:
    from kpireport.presenting.pdf_process import PdfProcess

    renderer = PdfProcess().__enter__()
    process = renderer._process
    assert renderer._connection is not None
    renderer._connection.close()  # as when the build is killed: its end of the pipe closes
    renderer._connection = None
    process.join(timeout=30)
    assert process.exitcode == 0
    assert "Traceback" not in capfd.readouterr().err
    renderer.__exit__(None, None, None)
