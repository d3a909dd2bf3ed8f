"""Faults while writing and delivering, as an operator meets them on a bad day: a full or
read-only disk (a small tmpfs mounted for the test), a path that is a file, a name too long, a
folder removed mid-run, links, Ctrl-C and SIGTERM, and SMTP servers that refuse, drop or hang.
A pack is written as a set: all of it, or the previous pack exactly as it was."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session
from click.testing import CliRunner, Result
from conftest import SAMPLE_EN, SENDER, free_port

from kpireport import build as build_module
from kpireport.cli import cli


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` (temporary ones included) with its SHA-256."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@contextlib.contextmanager
def tmpfs(path: Path, size: str, *options: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join([f"size={size}", *options]), "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip() or 'not root'}); the fault needs a real disk")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def one_error_line(result: Result, exit_code: int, *fragments: str) -> str:
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    for fragment in fragments:
        assert fragment in line, line
    return line


def test_a_full_disk_leaves_the_previous_pack_exactly_as_it_was(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "400k") as disk:
        first = run("build", SAMPLE_EN, "-o", disk)
        assert first.exit_code == 0, first.output
        before = snapshot(disk)
        assert sorted(before) == [f"kpi-sample-en-2026-10.{ext}" for ext in ("html", "json", "pdf")]
        with contextlib.suppress(OSError), (disk / "filler").open("wb") as filler:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        result = run("build", SAMPLE_EN, "-o", disk, "--lang", "ja")
        one_error_line(result, 1, f"cannot write {disk}/", "No space left on device", "the disk is full")
        (disk / "filler").unlink()
        assert snapshot(disk) == before  # no new month's file, no temporary file, nothing changed


def test_a_read_only_disk_is_a_message(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "1m", "ro") as disk:
        result = run("build", SAMPLE_EN, "-o", disk / "packs")
        one_error_line(result, 1, "Read-only file system", "choose another folder")


def test_a_path_that_is_a_file_and_a_name_too_long(tmp_path: Path) -> None:
    (tmp_path / "packs").write_text("a file, not a folder")
    one_error_line(run("build", SAMPLE_EN, "-o", tmp_path / "packs"), 2, "is a file")  # a usage error
    one_error_line(run("build", SAMPLE_EN, "-o", tmp_path / "packs" / "sub"), 1, "a part of the path is a file")
    long_name = tmp_path / ("k" * 250 + ".xlsx")
    shutil.copy(SAMPLE_EN, long_name)
    one_error_line(run("build", long_name, "-o", tmp_path / "out"), 1, "File name too long", "shorter workbook name")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_init_and_check_turn_os_errors_into_messages(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("a file, not a folder")
    one_error_line(run("init", tmp_path / "file" / "kpi.xlsx"), 1, "a file stands where a folder is needed")
    too_long = tmp_path / ("k" * 260 + ".xlsx")
    for args in (["init", str(too_long)], ["check", str(too_long)]):
        process = subprocess.run(
            [sys.executable, "-c", "import sys; from kpireport.cli import main; main(sys.argv[1:])", *args],
            capture_output=True,
            text=True,
            check=False,
        )
        assert "Traceback" not in process.stderr and "File name too long" in process.stderr, process.stderr
        assert process.returncode in (1, 2)


def test_a_folder_removed_mid_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    original = build_module.write_set

    def remove_first(files: Any) -> None:
        shutil.rmtree(out, ignore_errors=True)
        (tmp_path / "out").write_text("someone put a file here")  # and the folder cannot come back
        original(files)

    monkeypatch.setattr(build_module, "write_set", remove_first)
    one_error_line(run("build", SAMPLE_EN, "-o", out, "--format", "json"), 1, f"cannot write {out}/")


def fail_renaming(monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    """Renaming a temporary file onto an output ending in ``suffix`` fails as on a full disk;
    the pack's other files (pdf, html, json in that order) are renamed as usual."""
    replace = Path.replace

    def failing(self: Path, target: Any) -> Path:
        if str(target).endswith(suffix):
            raise OSError(28, "No space left on device")
        return replace(self, target)

    monkeypatch.setattr(Path, "replace", failing)


def test_a_failed_rename_puts_the_previous_pack_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    assert run("build", SAMPLE_EN, "-o", out).exit_code == 0
    before = snapshot(out)
    fail_renaming(monkeypatch, ".html")
    one_error_line(run("build", SAMPLE_EN, "-o", out, "--lang", "ja"), 1, "No space left on device")
    monkeypatch.undo()
    assert snapshot(out) == before  # the PDF renamed before the failure is the old one again


def test_a_failed_set_puts_a_replaced_link_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "elsewhere.pdf").write_text("last month's")
    link = out / "kpi-sample-en-2026-10.pdf"
    link.symlink_to(tmp_path / "elsewhere.pdf")
    fail_renaming(monkeypatch, ".json")  # the PDF is put in place first
    one_error_line(run("build", SAMPLE_EN, "-o", out, "--format", "json,pdf"), 1, "No space left on device")
    monkeypatch.undo()
    assert link.is_symlink() and link.read_text() == "last month's"
    assert sorted(p.name for p in out.iterdir()) == ["kpi-sample-en-2026-10.pdf"]


def test_an_output_that_is_a_link_is_replaced_not_written_through(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / "kpi-sample-en-2026-10.json").symlink_to(victim)
    assert run("build", SAMPLE_EN, "-o", out, "--format", "json").exit_code == 0
    assert victim.read_text() == "keep me"
    assert not (out / "kpi-sample-en-2026-10.json").is_symlink()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_build_leaves_no_half_pack(tmp_path: Path, stop: signal.Signals) -> None:
    out = tmp_path / "out"
    # While starting (on a busy machine, still importing its modules), reading, rendering, and
    # writing. (Earlier than its first line, the interpreter's own start, no program can help.)
    for delay in (0.6, 1.2, 1.8):
        process = subprocess.Popen(
            [sys.executable, "-m", "kpireport", "build", str(SAMPLE_EN), "-o", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        time.sleep(delay)
        process.send_signal(stop)
        output, _ = process.communicate(timeout=60)
        assert "Traceback" not in output
        names = sorted(p.name for p in out.iterdir()) if out.exists() else []
        assert not [n for n in names if n.endswith(".part")], names
        assert names in ([], [f"kpi-sample-en-2026-10.{ext}" for ext in ("html", "json", "pdf")]), names
        shutil.rmtree(out, ignore_errors=True)


# -- delivery -------------------------------------------------------------------------------------


class TryLater:
    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        return "451 4.3.0 try again later"


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pack")
    assert run("build", SAMPLE_EN, "-o", out, "--format", "pdf,json").exit_code == 0
    return next(out.glob("*.pdf"))


def smtp_env(port: int, **extra: str) -> dict[str, str]:
    return {"KPIREPORT_SMTP_URL": f"smtp+insecure://127.0.0.1:{port}", "KPIREPORT_FROM": SENDER, **extra}


def test_a_4xx_reply_is_reported_and_nothing_claimed_sent(pack: Path) -> None:
    controller = Controller(TryLater(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        result = run("send", pack, "--to", "cfo@example.com", env=smtp_env(controller.port))
    finally:
        controller.stop()
    line = one_error_line(result, 1, "refused the message (451 4.3.0 try again later)", "Nothing was sent.")
    assert "Sent" not in result.output, line


def _bare_server(script: str) -> tuple[int, threading.Event]:
    """A server that speaks just enough SMTP to reach DATA, then drops the connection
    ("drop") or stops answering ("hang")."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    done = threading.Event()

    def serve() -> None:
        conn, _ = server.accept()
        conn.settimeout(30)
        reader = conn.makefile("rb")
        conn.sendall(b"220 test\r\n")
        try:
            while line := reader.readline():
                verb = line[:4].upper()
                if script == "hang" and verb == b"MAIL":
                    done.wait(30)
                    break
                if verb in (b"EHLO", b"HELO"):
                    conn.sendall(b"250 test\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 go on\r\n")
                    reader.read(1024)  # a first part of the message, then the line goes dead
                    break
                else:
                    conn.sendall(b"250 ok\r\n")
        except OSError:
            pass
        finally:
            conn.close()
            server.close()

    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1], done


@pytest.mark.parametrize(
    ("script", "message"),
    [("drop", "Connection unexpectedly closed"), ("hang", "did not finish the exchange within 2 s")],
)
def test_a_server_that_drops_or_hangs_mid_message(pack: Path, script: str, message: str) -> None:
    port, done = _bare_server(script)
    try:
        result = run("send", pack, "--to", "cfo@example.com", env=smtp_env(port, KPIREPORT_SMTP_TIMEOUT="2"))
    finally:
        done.set()
    one_error_line(result, 1, message, "Nothing was sent.")
    assert "Sent " not in result.output


def test_one_of_two_recipients_refused_is_reported_exactly(pack: Path, plain_server: tuple[int, Any]) -> None:
    from conftest import REFUSED

    port, inbox = plain_server
    result = run("send", pack, "--to", f"cfo@example.com,{REFUSED}", env=smtp_env(port))
    one_error_line(result, 1, f"refused {REFUSED} (550 5.1.1 no such user)", "the other recipients received")
    assert [e.rcpt_tos for e in inbox.envelopes] == [["cfo@example.com"]]
