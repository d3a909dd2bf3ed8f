"""E-mail against a real SMTP server (aiosmtpd) on 127.0.0.1: delivery byte for byte, STARTTLS
with a certificate the test makes, implicit TLS, refused logins and recipients, a dead port,
and no header or recipient smuggled in through workbook text."""

from __future__ import annotations

import datetime as dt
import email
import json
import shutil
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result
from conftest import REFUSED, SAMPLE_EN, SAMPLE_JA, SENDER, Inbox, free_port, server_context

from kpireport.build import BuildOptions, build_pack
from kpireport.cli import cli


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pack")
    result = build_pack(SAMPLE_EN, BuildOptions(out_dir=out, today=dt.date(2026, 11, 24)))
    return {p.suffix[1:]: p for p in result.outputs}


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=env or {})


def plain_env(port: int) -> dict[str, str]:
    return {"KPIREPORT_SMTP_URL": f"smtp+insecure://127.0.0.1:{port}", "KPIREPORT_FROM": SENDER}


def attachments(message: EmailMessage) -> dict[str, bytes]:
    found = {}
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        found[part.get_filename() or ""] = payload
    return found


def test_send_delivers_the_pdf_byte_for_byte(plain_server: tuple[int, Inbox], pack: dict[str, Path]) -> None:
    port, inbox = plain_server
    result = run(
        "send", pack["pdf"], pack["html"], "--to", "cfo@example.com", "--cc", "board@example.com", env=plain_env(port)
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Sent {pack['pdf'].name} to cfo@example.com, board@example.com"
    [envelope] = inbox.envelopes
    assert (envelope.mail_from, envelope.rcpt_tos) == (SENDER, ["cfo@example.com", "board@example.com"])
    message = inbox.message()
    assert attachments(message) == {
        pack["pdf"].name: pack["pdf"].read_bytes(),
        pack["html"].name: pack["html"].read_bytes(),
    }
    assert message["Subject"] == "Northwind Trading Co. — Monthly KPI review Oct 2026"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    for expected in (
        "Oct 2026",
        # SPEC v1.2: expected by SAL-01's phased plan (its targets to October over the year's,
        # as tests/test_build.py's oracle works them out), no longer by the days elapsed.
        "Annual new-business revenue: Progress 55.8% / Expected 55.1% (On track)",
        "On target 8, Watch 7, Behind 3, No data 0",
        "Job applications: +26 (+17.7%)",
    ):
        assert expected in text, expected
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "<li>" in html.get_content()


def test_send_in_japanese_when_the_pack_is_japanese(plain_server: tuple[int, Inbox], tmp_path: Path) -> None:
    port, inbox = plain_server
    outputs = build_pack(SAMPLE_JA, BuildOptions(out_dir=tmp_path, formats=("pdf", "json"))).outputs
    assert run("send", outputs[0], "--to", "cfo@example.com", env=plain_env(port)).exit_code == 0
    message = inbox.message()
    assert message["Subject"] == "株式会社みらい商事 — 月次KPIレビュー 2026年10月"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "今月の KPI 状況: 達成" in body.get_content()


def test_starttls_with_login(starttls_server: tuple[int, Inbox], pack: dict[str, Path], ca_file: Path) -> None:
    port, inbox = starttls_server
    env = {
        "KPIREPORT_SMTP_URL": f"smtp://finance@127.0.0.1:{port}",
        "KPIREPORT_SMTP_PASSWORD": "s3cret",
        "KPIREPORT_FROM": SENDER,
        "KPIREPORT_SMTP_CAFILE": str(ca_file),
    }
    result = run("send", pack["pdf"], "--to", "cfo@example.com", env=env)
    assert result.exit_code == 0, result.output
    assert attachments(inbox.message())[pack["pdf"].name] == pack["pdf"].read_bytes()
    assert "s3cret" not in result.output


def test_implicit_tls(ca: trustme.CA, ca_file: Path, pack: dict[str, Path]) -> None:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), ssl_context=server_context(ca))
    controller.start()
    try:
        env = {"KPIREPORT_SMTP_URL": f"smtps://127.0.0.1:{controller.port}", "KPIREPORT_FROM": SENDER,
               "KPIREPORT_SMTP_CAFILE": str(ca_file)}  # fmt: skip
        result = run("send", pack["pdf"], "--to", "cfo@example.com", env=env)
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert len(inbox.envelopes) == 1


def test_a_refused_login(starttls_server: tuple[int, Inbox], pack: dict[str, Path], ca_file: Path) -> None:
    port, inbox = starttls_server
    env = {"KPIREPORT_SMTP_URL": f"smtp://finance@127.0.0.1:{port}", "KPIREPORT_SMTP_PASSWORD": "wrong",
           "KPIREPORT_FROM": SENDER, "KPIREPORT_SMTP_CAFILE": str(ca_file)}  # fmt: skip
    result = run("send", pack["pdf"], "--to", "cfo@example.com", env=env)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: 127.0.0.1:{port} refused the login for 'finance' (535")
    assert "wrong" not in result.output and "Sent" not in result.output
    assert inbox.envelopes == []


def test_a_tls_failure_with_an_untrusted_certificate(starttls_server: tuple[int, Inbox], pack: dict[str, Path]) -> None:
    port, inbox = starttls_server
    env = {"KPIREPORT_SMTP_URL": f"smtp://finance@127.0.0.1:{port}", "KPIREPORT_SMTP_PASSWORD": "s3cret",
           "KPIREPORT_FROM": SENDER}  # fmt: skip
    result = run("send", pack["pdf"], "--to", "cfo@example.com", env=env)
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == f"Error: TLS with 127.0.0.1:{port} failed: CERTIFICATE_VERIFY_FAILED. Nothing was sent."
    )
    assert inbox.envelopes == []


def test_a_dead_port(pack: dict[str, Path]) -> None:
    port = free_port()  # nothing listens there any more
    result = run("send", pack["pdf"], "--to", "cfo@example.com", env=plain_env(port))
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == f"Error: cannot deliver through 127.0.0.1:{port}: Connection refused. Nothing was sent."
    )


def test_refused_recipients(plain_server: tuple[int, Inbox], pack: dict[str, Path]) -> None:
    port, inbox = plain_server
    partly = run("send", pack["pdf"], "--to", f"cfo@example.com,{REFUSED}", env=plain_env(port))
    assert partly.exit_code == 1
    assert f"refused {REFUSED} (550 5.1.1 no such user); the other recipients received the pack." in partly.output
    assert inbox.envelopes[0].rcpt_tos == ["cfo@example.com"]
    wholly = run("send", pack["pdf"], "--to", REFUSED, env=plain_env(port))
    assert wholly.exit_code == 1
    assert "refused every recipient" in wholly.output and "Nothing was sent." in wholly.output
    assert len(inbox.envelopes) == 1


def test_missing_settings_and_bad_addresses_exit_2(pack: dict[str, Path]) -> None:
    missing = run("send", pack["pdf"], "--to", "cfo@example.com")
    assert missing.exit_code == 2 and "set KPIREPORT_SMTP_URL" in missing.output
    in_url = run("send", pack["pdf"], "--to", "cfo@example.com",
                 env={"KPIREPORT_SMTP_URL": "smtp://u:pw@h:587", "KPIREPORT_FROM": SENDER})  # fmt: skip
    assert in_url.exit_code == 2 and "put the password in KPIREPORT_SMTP_PASSWORD" in in_url.output
    smuggled = run("send", pack["pdf"], "--to", "cfo@example.com\r\nBcc: spy@evil.example", "--dry-run")
    assert smuggled.exit_code == 2 and "is not an e-mail address" in smuggled.output


def test_headers_cannot_be_smuggled_through_workbook_text(
    plain_server: tuple[int, Inbox], make_workbook: Any, tmp_path: Path
) -> None:
    port, inbox = plain_server

    def inject(sheets: dict[str, Any]) -> None:
        sheets["Settings"][1][1] = "Acme\r\nBcc: spy@evil.example"
        sheets["KPI"][1][1] = "Revenue\r\nTo: spy2@evil.example"

    workbook = make_workbook(inject, name="acme\r\nBcc: spy3@evil.example.xlsx")
    result = run("build", workbook, "-o", tmp_path / "out", "--email-to", "cfo@example.com",
                 "--subject", "Pack\r\nBcc: spy4@evil.example", env=plain_env(port))  # fmt: skip
    assert result.exit_code == 0, result.output
    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == ["cfo@example.com"]
    message = inbox.message()
    assert message.get_all("Bcc") is None
    assert message.get_all("To") == ["cfo@example.com"]
    assert message["Subject"] == "Pack Bcc: spy4@evil.example"
    assert all("\n" not in name and "\r" not in name for name in attachments(message))


def test_dry_run_writes_the_eml(pack: dict[str, Path]) -> None:
    result = run("send", pack["pdf"], "--to", "cfo@example.com", "--dry-run", env={"KPIREPORT_FROM": SENDER})
    assert result.exit_code == 0, result.output
    eml = pack["pdf"].with_suffix(".eml")
    assert result.output.strip() == f"Wrote {eml} (not sent)"
    message = email.message_from_bytes(eml.read_bytes(), policy=default_policy)
    assert isinstance(message, EmailMessage)
    assert message["To"] == "cfo@example.com" and message["From"] == SENDER
    assert attachments(message)[pack["pdf"].name] == pack["pdf"].read_bytes()


def test_build_then_send_in_one_step(plain_server: tuple[int, Inbox], tmp_path: Path) -> None:
    port, inbox = plain_server
    out = tmp_path / "out"
    result = run("build", SAMPLE_EN, "-o", out, "--format", "pdf", "--email-to", "cfo@example.com", env=plain_env(port))
    assert result.exit_code == 0, result.output
    pdf = out / "kpi-sample-en-2026-10.pdf"
    assert f"Sent {pdf.name} to cfo@example.com" in result.output
    assert attachments(inbox.message())[pdf.name] == pdf.read_bytes()


def test_a_pack_without_its_json_is_sent_with_a_plain_body(pack: dict[str, Path], tmp_path: Path) -> None:
    pdf = tmp_path / "kpi.v2-2026-10.pdf"  # a dotted workbook name: kpi.v2.xlsx
    shutil.copy(pack["pdf"], pdf)
    result = run("send", pdf, "--to", "cfo@example.com", "--dry-run", env={"KPIREPORT_FROM": SENDER})
    assert result.exit_code == 0, result.output
    message = email.message_from_bytes(pdf.with_suffix(".eml").read_bytes(), policy=default_policy)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == "kpi.v2 — Monthly KPI review Oct 2026"
    body = message.get_body(("plain",))
    assert body is not None
    assert body.get_content().splitlines() == ["Monthly KPI review: kpi.v2, Oct 2026", "", "The pack is attached."]
    assert attachments(message)[pdf.name] == pack["pdf"].read_bytes()


def test_a_dotted_pack_name_finds_its_own_json(pack: dict[str, Path], tmp_path: Path) -> None:
    for suffix in ("pdf", "json"):
        shutil.copy(pack[suffix], tmp_path / f"kpi.v2-2026-10.{suffix}")
    result = run(
        "send", tmp_path / "kpi.v2-2026-10.pdf", "--to", "cfo@example.com", "--dry-run", env={"KPIREPORT_FROM": SENDER}
    )
    assert result.exit_code == 0, result.output
    message = email.message_from_bytes((tmp_path / "kpi.v2-2026-10.eml").read_bytes(), policy=default_policy)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == "Northwind Trading Co. — Monthly KPI review Oct 2026"


def test_the_message_language_and_company_come_from_the_pack(tmp_path: Path) -> None:
    theme = tmp_path / "brand.toml"
    theme.write_text('company = "Northwind KK"\n', encoding="utf-8")
    # English names, Japanese pack: the language is the pack's, not a guess from the text.
    built = run("build", SAMPLE_EN, "-o", tmp_path, "--lang", "ja", "--theme", theme, "--format", "pdf,json")
    assert built.exit_code == 0, built.output
    data = json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8"))
    assert (data["company"], data["locale"]) == ("Northwind KK", "ja")
    pdf = next(tmp_path.glob("*.pdf"))
    assert run("send", pdf, "--to", "cfo@example.com", "--dry-run", env={"KPIREPORT_FROM": SENDER}).exit_code == 0
    message = email.message_from_bytes(pdf.with_suffix(".eml").read_bytes(), policy=default_policy)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == "Northwind KK — 月次KPIレビュー 2026年10月"
