"""`kpireport doctor`: the table a user reads, its exit code, and a real SMTP login on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from conftest import SENDER, free_port
from test_fonts import NO_JAPANESE

from kpireport.cli import cli
from kpireport.doctor import diagnose


def rows(output: str) -> dict[str, str]:
    """The table's rows by check name, cells joined (Rich draws │ between them)."""
    found = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().split("│")[1:-1]]
        if len(cells) == 4 and cells[0]:
            found[cells[0]] = " ".join(cells[1:])
    return found


def test_this_machine_can_build_every_pack() -> None:
    result = CliRunner().invoke(cli, ["doctor"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    table = rows(result.output)
    assert table["WeasyPrint"].startswith("ok ")
    assert table["Pango"].startswith("ok 1.")
    assert table["Font for Japanese (ja)"].startswith("ok IPAexGothic")
    assert table["Font for English (en)"].startswith("ok ")


def test_a_missing_japanese_font_fails_with_the_command_to_fix_it(tmp_path: Path) -> None:
    config = tmp_path / "fonts.conf"
    config.write_text(NO_JAPANESE, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "kpireport", "doctor"],
        env={**os.environ, "FONTCONFIG_FILE": str(config), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout
    ja = rows(result.stdout)["Font for Japanese (ja)"]
    assert ja.startswith("missing none draws ja")
    assert "sudo apt-get install fonts-ipaexfont-gothic" in ja
    # An English-only user can ask about English alone.
    english = subprocess.run(
        [sys.executable, "-m", "kpireport", "doctor", "--lang", "en"],
        env={**os.environ, "FONTCONFIG_FILE": str(config)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert english.returncode == 0, english.stdout


def test_smtp_login_is_tried_and_the_password_never_shown(starttls_server: tuple[int, object], ca_file: Path) -> None:
    port, _ = starttls_server
    env = {
        "KPIREPORT_SMTP_URL": f"smtp://finance@127.0.0.1:{port}",
        "KPIREPORT_SMTP_PASSWORD": "s3cret",
        "KPIREPORT_SMTP_CAFILE": str(ca_file),
        "KPIREPORT_FROM": SENDER,
    }
    checks = {c.name: c for c in diagnose(("en",), smtp=True, environ=env)}
    assert checks["SMTP"].found == f"smtp://finance@127.0.0.1:{port}, from {SENDER}, password set"
    assert (checks["SMTP connection"].state, checks["SMTP connection"].found) == ("ok", "connected and logged in")
    assert all("s3cret" not in c.found + c.fix for c in checks.values())
    wrong = {c.name: c for c in diagnose(("en",), smtp=True, environ={**env, "KPIREPORT_SMTP_PASSWORD": "guess"})}
    assert wrong["SMTP connection"].failed and "refused the login for 'finance'" in wrong["SMTP connection"].found


def test_an_unreachable_smtp_server_fails_the_doctor_only_when_asked() -> None:
    env = {"KPIREPORT_SMTP_URL": f"smtp+insecure://127.0.0.1:{free_port()}", "KPIREPORT_FROM": SENDER}
    quiet = {c.name: c for c in diagnose(("en",), environ=env)}
    assert "SMTP connection" not in quiet and not any(c.failed for c in quiet.values())
    asked = {c.name: c for c in diagnose(("en",), smtp=True, environ=env)}
    assert asked["SMTP connection"].failed and "cannot deliver through 127.0.0.1" in asked["SMTP connection"].found


def test_optional_tools_are_reported_not_required() -> None:
    checks = {c.name: c for c in diagnose(("en",), environ={}, which=lambda name: None)}
    assert checks["LibreOffice"].state == "optional" and checks["Chromium"].state == "optional"
    assert checks["SMTP"].state == "optional"
    assert not any(c.failed for c in checks.values())
