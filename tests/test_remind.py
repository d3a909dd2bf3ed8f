"""``kpireport remind`` (SPEC §3c) against a real SMTP server (aiosmtpd) on 127.0.0.1: exactly one
message per owner, holding only their overdue and due-soon actions; a refused owner named and the
others still reminded; addresses checked before anything is sent; no header or recipient smuggled
in through workbook text; the dry run; the reminder in Japanese."""

from __future__ import annotations

import datetime as dt
import email
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session
from click.testing import CliRunner, Result
from conftest import REFUSED, SENDER, Inbox, Rows, free_port, minimal_sheets, write_sheets

from kpireport.cli import cli

HEADER = ["id", "target", "action", "owner", "email", "opened", "due", "status", "expected", "closed"]
# The minimal workbook reports on June 2026 (its latest actual): due by 30 June is overdue,
# due in July is due soon.
ACTIONS = [
    ["A1", "K1", "Call lapsed customers", "Ann", "ann@example.com", "2026-05", dt.date(2026, 6, 30)],
    ["A2", "K2", "Pause low-intent keywords", "Bob", "bob@example.com", "2026-05", dt.date(2026, 7, 15)],
    ["A3", "G1", "Price review", "Ann", " ANN@example.com ", "2026-06", dt.date(2026, 6, 10)],
    ["A4", "K1", "Partner programme", "Cy", "cy@example.com", "2026-06", dt.date(2026, 8, 31)],
    ["A5", "K2", "Agency fee", "Dee", "dee@example.com", "2026-04", dt.date(2026, 6, 1), "done", None,
     dt.date(2026, 5, 28)],
]  # fmt: skip


def workbook(tmp_path: Path, rows: list[list[object]] = ACTIONS, *, lang: str = "en", company: str = "") -> Path:
    sheets: dict[str, Rows] = minimal_sheets()
    sheets["Settings"][4][1] = lang
    if company:
        sheets["Settings"][1][1] = company
    sheets["Actions"] = [HEADER, *[list(r) for r in rows]]
    return write_sheets(tmp_path / "kpi.xlsx", sheets)


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=env or {})


def plain_env(port: int) -> dict[str, str]:
    return {"KPIREPORT_SMTP_URL": f"smtp+insecure://127.0.0.1:{port}", "KPIREPORT_FROM": SENDER}


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def by_recipient(inbox: Inbox) -> dict[str, EmailMessage]:
    return {envelope.rcpt_tos[0]: inbox.message(i) for i, envelope in enumerate(inbox.envelopes)}


def test_one_message_per_owner_with_only_their_actions(plain_server: tuple[int, Inbox], tmp_path: Path) -> None:
    port, inbox = plain_server
    result = run("remind", workbook(tmp_path), env=plain_env(port))
    assert result.exit_code == 0, result.output
    # Ann: A1 (due 30 June, the month's last day: overdue) and A3 (overdue), her two spellings of
    # one address; Bob: A2 (July: due soon). Cy's is due in August, Dee's is done: no message.
    assert result.output.splitlines() == [
        "Reminded Ann <ann@example.com>: A3, A1",
        "Reminded Bob <bob@example.com>: A2",
    ]
    assert [(e.mail_from, e.rcpt_tos) for e in inbox.envelopes] == [
        (SENDER, ["ann@example.com"]),
        (SENDER, ["bob@example.com"]),
    ]
    messages = by_recipient(inbox)
    ann, bob = messages["ann@example.com"], messages["bob@example.com"]
    assert (ann["To"], ann["Cc"], ann["Bcc"]) == ("ann@example.com", None, None)
    assert ann["Subject"] == "Acme Ltd.: your actions — 2 overdue, 0 due soon (Jun 2026)"
    assert bob["Subject"] == "Acme Ltd.: your actions — 0 overdue, 1 due soon (Jun 2026)"
    text = text_of(ann)
    assert text.startswith("Hello Ann,")
    assert (
        "- Price review (Revenue) — due Jun 10, 2026\n- Call lapsed customers (New revenue) — due Jun 30, 2026" in text
    )
    for other in ("Pause low-intent keywords", "Partner programme", "Agency fee"):
        assert other not in text
    assert "Due next month:\n- Pause low-intent keywords (Cost per lead) — due Jul 15, 2026" in text_of(bob)
    assert "Call lapsed customers" not in text_of(bob)


def test_a_refused_owner_is_named_and_the_others_are_reminded(plain_server: tuple[int, Inbox], tmp_path: Path) -> None:
    port, inbox = plain_server
    refused = ["A6", "K2", "Lower bids", "Nobody", REFUSED, "2026-05", dt.date(2026, 6, 20)]
    result = run("remind", workbook(tmp_path, [refused, *ACTIONS]), env=plain_env(port))
    assert result.exit_code == 1
    assert "Reminded Ann <ann@example.com>: A3, A1" in result.output
    assert "Reminded Bob <bob@example.com>: A2" in result.output
    assert "Reminded Nobody" not in result.output
    assert (
        f"not reminded: 127.0.0.1:{port} refused Nobody <{REFUSED}> (550 5.1.1 no such user); "
        "the other owners were reminded."
    ) in " ".join(result.output.split())
    assert sorted(e.rcpt_tos[0] for e in inbox.envelopes) == ["ann@example.com", "bob@example.com"]


def test_an_action_without_an_address_is_named(plain_server: tuple[int, Inbox], tmp_path: Path) -> None:
    port, inbox = plain_server
    unaddressed = ["A6", "K2", "Lower bids", "Eve", None, "2026-05", dt.date(2026, 6, 20)]
    result = run("remind", workbook(tmp_path, [*ACTIONS, unaddressed]), env=plain_env(port))
    assert result.exit_code == 1
    assert "action A6 has no e-mail address (Actions!E7); the other owners were reminded." in result.output
    assert len(inbox.envelopes) == 2


@pytest.mark.parametrize("address", ["bob@", "bob@example.com\r\nBcc: spy@evil.example", "Bob <bob@example.com>"])
def test_a_bad_address_stops_before_anything_is_sent(
    plain_server: tuple[int, Inbox], tmp_path: Path, address: str
) -> None:
    port, inbox = plain_server
    rows = [list(r) for r in ACTIONS]
    rows[1][4] = address  # Bob's, on the sheet's row 3
    result = run("remind", workbook(tmp_path, rows), env=plain_env(port))
    assert result.exit_code == 2
    assert "Actions!E3: " in result.output and "is not an e-mail address" in result.output
    assert inbox.envelopes == []


def test_workbook_text_cannot_add_a_header_or_a_recipient(plain_server: tuple[int, Inbox], tmp_path: Path) -> None:
    port, inbox = plain_server
    smuggle = "\r\nBcc: spy@evil.example\r\nX-Evil: 1"
    rows = [list(r) for r in ACTIONS]
    rows[0][2] = f"Call{smuggle}"
    rows[0][3] = f"Ann{smuggle}"
    result = run("remind", workbook(tmp_path, rows, company=f"Acme{smuggle}"), env=plain_env(port))
    assert result.exit_code == 0, result.output
    assert sorted(e.rcpt_tos[0] for e in inbox.envelopes) == ["ann@example.com", "bob@example.com"]
    for envelope in inbox.envelopes:
        content = envelope.content
        assert isinstance(content, bytes)
        parsed = email.message_from_bytes(content, policy=default_policy)
        assert parsed["Bcc"] is None and parsed["X-Evil"] is None
        assert "spy@evil.example" not in str(parsed["Subject"]) or "\n" not in str(parsed["Subject"])
        headers = content.split(b"\r\n\r\n", 1)[0]
        assert b"\r\nBcc:" not in headers and b"\r\nX-Evil:" not in headers
        # In the body too, the text stays on its line: it names the action, it adds no line.
        assert "- Call Bcc: spy@evil.example X-Evil: 1 (New revenue)" in text_of(parsed) or "Call" not in text_of(
            parsed
        )


def test_a_dead_server_reminds_nobody_and_says_so(tmp_path: Path) -> None:
    result = run("remind", workbook(tmp_path), env=plain_env(free_port()))
    assert result.exit_code == 1
    assert "Nothing was sent." in result.output and "Reminded" not in result.output


def test_missing_settings_exit_2(tmp_path: Path) -> None:
    result = run("remind", workbook(tmp_path))
    assert result.exit_code == 2 and "set KPIREPORT_SMTP_URL" in result.output


def test_the_dry_run_writes_one_message_per_owner_in_japanese(tmp_path: Path) -> None:
    path = workbook(tmp_path, lang="ja")
    result = run("remind", path, "--dry-run", env={"KPIREPORT_FROM": SENDER})
    assert result.exit_code == 0, result.output
    written = sorted(tmp_path.glob("*.eml"))
    assert [p.name for p in written] == [
        "kpi-2026-06-remind-ann@example.com.eml",
        "kpi-2026-06-remind-bob@example.com.eml",
    ]
    assert result.output.splitlines() == [f"Wrote {p} (not sent)" for p in written]
    ann = email.message_from_bytes(written[0].read_bytes(), policy=default_policy)
    assert isinstance(ann, EmailMessage)
    assert ann["To"] == "ann@example.com"
    assert ann["Subject"] == "Acme Ltd.：担当アクションのお知らせ（期限超過 2件・期限間近 0件、2026年6月）"
    text = text_of(ann)
    assert text.startswith("Ann 様")
    assert "期限超過：\n- Price review（Revenue）— 期限 2026年6月10日" in text


def test_nothing_due_and_no_actions_sheet(tmp_path: Path) -> None:
    later = [["A4", "K1", "Partner programme", "Cy", "cy@example.com", "2026-06", dt.date(2026, 8, 31)]]
    quiet = run("remind", workbook(tmp_path, later), "--dry-run")
    assert quiet.exit_code == 0 and quiet.output == "Nothing to remind: no action is overdue or due in 2026-07.\n"
    bare = write_sheets(tmp_path / "bare.xlsx", minimal_sheets())
    refused = run("remind", bare, "--dry-run")
    assert refused.exit_code == 2 and "bare.xlsx has no Actions sheet" in refused.output


def test_month_chooses_the_month_reminded_of(tmp_path: Path) -> None:
    # In May's pack A1 (due 30 June) is due soon, A3 (10 June) too; Bob's (July) is not yet.
    result = run("remind", workbook(tmp_path), "--month", "2026-05", "--dry-run")
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.glob("*.eml")] == ["kpi-2026-05-remind-ann@example.com.eml"]


class HangsUpAfterOne(Inbox):
    """Accepts one message, then answers 421 and closes, as a relay going down mid-run does."""

    async def handle_MAIL(self, server: Any, session: Session, envelope: Envelope, address: str, options: Any) -> str:
        if self.envelopes:
            return "421 4.3.2 service shutting down"
        envelope.mail_from = address
        return "250 OK"


def test_a_server_lost_after_the_first_owner_says_who_was_reminded(tmp_path: Path) -> None:
    inbox = HangsUpAfterOne()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        result = run("remind", workbook(tmp_path), env=plain_env(controller.port))
    finally:
        controller.stop()
    # Ann's message (A3 and A1, overdue) goes first and is accepted; Bob (A2, due in July) is not
    # reminded; Cy's A4, due in August, is in no reminder.
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "Reminded Ann <ann@example.com>: A3, A1" in result.output
    said = " ".join(result.output.split())
    assert "The owners listed above were reminded; not reminded: Bob <bob@example.com>." in said
    assert "Nothing was sent" not in said
    assert [e.rcpt_tos for e in inbox.envelopes] == [["ann@example.com"]]
