"""Shared fixtures: a small, valid KPI workbook built with openpyxl, which tests change; and
real SMTP servers (aiosmtpd) on 127.0.0.1, plain and STARTTLS with a certificate made here."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import hashlib
import signal
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, Session

from kpireport.model import CellIssue, Kgi, Kpi, Month, Settings, Workbook

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_workbooks"
SAMPLE_EN = SAMPLES / "kpi-sample-en.xlsx"
SAMPLE_JA = SAMPLES / "kpi-sample-ja.xlsx"
CORPUS = REPO.parent / "shared" / "corpus" / "xlsx"

Rows = list[list[Any]]


def minimal_sheets() -> dict[str, Rows]:
    """Fiscal year from April 2026; two KPIs (one lower-is-better), three months of data."""
    months = ["2026-04", "2026-05", "2026-06"]
    return {
        "Settings": [
            ["key", "value"],
            ["company", "Acme Ltd."],
            ["fiscal_year_start", 4],
            ["currency", "JPY"],
            ["locale", "en"],
        ],
        "KGI": [
            ["id", "name", "target", "unit", "deadline", "measured_by", "owner"],
            ["G1", "Revenue", 1200, "currency", dt.date(2027, 3, 31), "K1", "CEO"],
        ],
        "KPI": [
            ["id", "name", "department", "kgi", "perspective", "unit", "direction", "aggregation", "kind", "owner"],
            ["K1", "New revenue", "Sales", "G1", None, "currency", "higher", "sum", "kpi", "Ann"],
            ["K2", "Cost per lead", "Sales", "G1", None, "currency", "lower", "average", "kpi", "Bob"],
        ],
        "Targets": [
            [
                "id",
                *months,
                "2026-07",
                "2026-08",
                "2026-09",
                "2026-10",
                "2026-11",
                "2026-12",
                "2027-01",
                "2027-02",
                "2027-03",
            ],
            ["K1", *([100] * 12)],
            ["K2", *([50] * 12)],
        ],
        "Actuals": [
            ["id", *months],
            ["K1", 90, 110, 120],
            ["K2", 40, 55, 50],
        ],
        "Comments": [
            ["kpi", "month", "comment", "action", "owner"],
            ["K1", "2026-06", "Strong June", "Keep going", "Ann"],
        ],
    }


def write_sheets(path: Path, sheets: dict[str, Rows]) -> Path:
    book = openpyxl.Workbook()
    default = book.active
    assert default is not None
    book.remove(default)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def make_workbook(tmp_path: Path) -> Callable[..., Path]:
    """make_workbook(change=fn, name=...) writes minimal_sheets(), after fn(sheets) edits them."""

    def make(change: Callable[[dict[str, Rows]], None] | None = None, name: str = "book.xlsx") -> Path:
        sheets = minimal_sheets()
        if change is not None:
            change(sheets)
        return write_sheets(tmp_path / name, sheets)

    return make


@contextlib.contextmanager
def time_limit(seconds: int, what: str) -> Iterator[None]:
    """Fail the block with TimeoutError if it runs longer than ``seconds``: a hostile input
    must end in a pack or a message, never a hang (main thread only, through SIGALRM)."""

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError(f"{what} took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- in-memory models for rule and report tests ---------------------------------------------

OCT = Month(2026, 10)
YEAR = [Month(2026, 4).shift(i) for i in range(12)]


def kpi(id_: str, **fields: object) -> Kpi:
    base: dict[str, object] = {"name": f"Deals closed {id_}", "department": "Sales", "kgi": "G1", "unit": "number"}
    return Kpi(id=id_, **{**base, **fields})  # type: ignore[arg-type]


def book(
    kpis: list[Kpi],
    *,
    actuals: dict[str, dict[Month, float]] | None = None,
    targets: dict[str, dict[Month, float]] | None = None,
    kgis: list[Kgi] | None = None,
    issues: tuple[CellIssue, ...] = (),
    locale: str = "en",
) -> Workbook:
    """Every KPI on target (100 a month, all year) unless told otherwise."""
    flat_targets = {k.id: dict.fromkeys(YEAR, 100.0) for k in kpis}
    flat_actuals = {k.id: {m: 100.0 for m in YEAR if m <= OCT} for k in kpis}
    return Workbook(
        settings=Settings(company="Acme", fiscal_year_start=4, locale=locale),  # type: ignore[arg-type]
        kgis=tuple(kgis if kgis is not None else [Kgi("G1", "Revenue", 1200.0, deadline=dt.date(2027, 3, 31))]),
        kpis=tuple(kpis),
        targets={**flat_targets, **(targets or {})},
        actuals={**flat_actuals, **(actuals or {})},
        cell_issues=issues,
        months=tuple(YEAR),
    )


# -- SMTP servers on loopback -------------------------------------------------------------------

SENDER = "reports@example.com"
REFUSED = "nobody@example.com"


@dataclass
class Inbox:
    """What the SMTP server accepted."""

    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Session, envelope: Envelope, address: str, options: Any) -> str:
        if address == REFUSED:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def message(self, index: int = 0) -> EmailMessage:
        content = self.envelopes[index].content
        assert isinstance(content, bytes)
        parsed = email.message_from_bytes(content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        return parsed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def authenticate(server: Any, session: Session, envelope: Envelope, mechanism: str, auth_data: Any) -> AuthResult:
    ok = auth_data.login == b"finance" and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture
def plain_server() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


@pytest.fixture
def starttls_server(ca: trustme.CA) -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_context(ca),
        require_starttls=True,
        authenticator=authenticate,
        auth_require_tls=True,
    )
    controller.start()
    yield controller.port, inbox
    controller.stop()
