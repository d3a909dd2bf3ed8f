"""E-mailing a pack: the message is built from the pack's JSON, sent over SMTP configured by
the environment, or written as an .eml for a dry run.

Nothing from a workbook can change who receives the message: recipients come only from
--to/--cc, headers are built with the ``email`` package's strict policy, and every text that
lands in a header is folded onto one line first.
"""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import make_msgid
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import unquote, urlsplit

from markupsafe import escape

from kpireport.addresses import address_problem
from kpireport.errors import ConfigurationError, DeliveryError, KpiReportError, PackError
from kpireport.formatting import month_name
from kpireport.i18n import labels
from kpireport.model import Locale, Month
from kpireport.presenting.formats import ATTACHABLE, FORMATS, MAIL_NEEDS, REGISTRY, in_order, parse_pack_file_name
from kpireport.presenting.summary import Summary
from kpireport.reading.inputs import read_bounded, single_line
from kpireport.reading.pack_json import load_pack_json

SMTP_URL = "KPIREPORT_SMTP_URL"
SMTP_PASSWORD = "KPIREPORT_SMTP_PASSWORD"
SENDER = "KPIREPORT_FROM"
DRY_RUN_SENDER = "kpireport@localhost"
CA_FILE = "KPIREPORT_SMTP_CAFILE"
TIMEOUT_SECONDS = 20
# The whole exchange, not each read: a server that trickles its greeting a byte at a time, or
# sends continuation lines for ever, is cut off here. KPIREPORT_SMTP_TIMEOUT may change it.
EXCHANGE_SECONDS = 120.0
EXCHANGE_TIMEOUT = "KPIREPORT_SMTP_TIMEOUT"
MAX_ATTACHMENT_BYTES = 64 * 1024 * 1024


T = TypeVar("T")


@dataclass(frozen=True)
class SmtpSettings:
    scheme: str
    host: str
    port: int
    user: str | None
    password: str | None
    sender: str
    ca_file: str | None
    exchange_seconds: float = EXCHANGE_SECONDS

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"


def validate_address(text: str) -> str:
    """A bare address (name@example.com); anything that could smuggle a header, or that no
    server would accept, is refused before anything is built or sent."""
    address = text.strip()
    problem = address_problem(address)
    if problem:
        raise ConfigurationError(
            f"{single_line(text)!r} is not an e-mail address ({problem}); give a bare address such as cfo@example.com."
        )
    return address


def smtp_settings(environ: Mapping[str, str] | None = None) -> SmtpSettings:
    env = os.environ if environ is None else environ
    url = env.get(SMTP_URL, "").strip()
    if not url:
        raise ConfigurationError(
            f"set {SMTP_URL} (e.g. smtp://user@mail.example.com:587), {SENDER} and, if the server "
            f"needs a login, {SMTP_PASSWORD}; or use --dry-run to write the message to a file."
        )
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError as exc:  # smtp://[::1 and the like
        raise ConfigurationError(f"{SMTP_URL} is not a valid URL ({exc}).") from None
    defaults = {"smtp": 587, "smtps": 465, "smtp+insecure": 25}
    if parts.scheme not in defaults or not hostname or single_line(hostname) != hostname:
        raise ConfigurationError(
            f"{SMTP_URL} must look like smtp://user@host:587 (STARTTLS), smtps://user@host:465 (TLS) or "
            "smtp+insecure://host:25 (a local relay only)."
        )
    if parts.password:
        raise ConfigurationError(f"put the password in {SMTP_PASSWORD}, not in {SMTP_URL}.")
    sender = env.get(SENDER, "").strip()
    if not sender:
        raise ConfigurationError(f"set {SENDER} to the address the pack is sent from.")
    try:
        port = parts.port or defaults[parts.scheme]
    except ValueError as exc:
        raise ConfigurationError(f"{SMTP_URL} has an invalid port.") from exc
    user = unquote(parts.username) if parts.username else None
    password = env.get(SMTP_PASSWORD) or None
    if user and not password:
        raise ConfigurationError(f"{SMTP_URL} names user {user!r}; set {SMTP_PASSWORD} to log in.")
    try:
        exchange = float(env.get(EXCHANGE_TIMEOUT, EXCHANGE_SECONDS))
    except ValueError:
        exchange = -1.0
    if not 0 < exchange <= 3600:
        raise ConfigurationError(f"{EXCHANGE_TIMEOUT} must be a number of seconds from 1 to 3600.")
    return SmtpSettings(
        parts.scheme, hostname, port, user, password, validate_address(sender), env.get(CA_FILE), exchange
    )


# -- the message ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Body:
    """A message's default subject, its text paragraphs and its HTML alternative."""

    subject: str
    paragraphs: list[str]
    html: str


def summary_body(summary: Summary) -> Body:
    """The body of a pack's e-mail: its summary (the one its executive summary shows), as text
    and as HTML."""
    text = labels(summary.locale)
    company = single_line(summary.company)
    kgi_lines = [line.text(text) for line in summary.kgis]
    mover_lines = [mover.text for mover in summary.movers] or [text["no_movers"]]
    count_line = ", ".join(f"{count.label} {count.count}" for count in summary.counts)
    # The e-mail leads with the pack's key messages, as the pack itself does.
    messages = [single_line(m) for m in summary.key_messages]
    numbered = "\n".join(f"{n}. {m}" for n, m in enumerate(messages, 1))
    lead = [f"{text['key_messages']}:\n{numbered}"] if messages else []
    paragraphs = [
        f"{text['monthly_review']}: {company}, {summary.month}",
        *lead,
        f"{text['kgis']}:\n" + "\n".join(f"- {line}" for line in kgi_lines),
        f"{text['status_counts']}: {count_line}",
        f"{text['movers']}:\n" + "\n".join(f"- {line}" for line in mover_lines),
    ]
    listed = "".join(f"<li>{escape(m)}</li>" for m in messages)
    html = (
        f'<html lang="{summary.locale}"><body style="font-family:sans-serif">'
        f"<p><strong>{escape(paragraphs[0])}</strong></p>"
        + (f"<p>{escape(text['key_messages'])}</p><ol>{listed}</ol>" if messages else "")
        + f"<p>{escape(text['kgis'])}</p><ul>{''.join(f'<li>{escape(x)}</li>' for x in kgi_lines)}</ul>"
        f"<p>{escape(text['status_counts'])}: {escape(count_line)}</p>"
        f"<p>{escape(text['movers'])}</p><ul>{''.join(f'<li>{escape(x)}</li>' for x in mover_lines)}</ul>"
        "</body></html>"
    )
    return Body(single_line(summary.subject), paragraphs, html)


def pack_locale(pack: Mapping[str, Any]) -> Locale:
    """The pack's language, as its JSON says (packs before v1.1 said nothing: English)."""
    return "ja" if pack.get("locale") == "ja" else "en"


def _safe_filename(path: Path) -> str:
    name = single_line(path.name).replace('"', "").replace("\\", "")
    return name or "pack"


def compose(
    body: Body,
    attachments: Sequence[Path],
    *,
    sender: str,
    to: Sequence[str],
    cc: Sequence[str] = (),
    subject: str | None = None,
) -> EmailMessage:
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = Address(addr_spec=validate_address(sender))
    message["To"] = [Address(addr_spec=validate_address(a)) for a in to]
    if cc:
        message["Cc"] = [Address(addr_spec=validate_address(a)) for a in cc]
    message["Subject"] = single_line(subject or body.subject)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message.set_content("\n\n".join(body.paragraphs) + "\n")
    message.add_alternative(body.html, subtype="html")
    for path in attachments:
        known = FORMATS.get(path.suffix.lower().lstrip("."))
        maintype, subtype = known.mime if known else ("application", "octet-stream")
        data = read_bounded(path, MAX_ATTACHMENT_BYTES, "pack file", PackError)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=_safe_filename(path))
    return message


# -- sending ------------------------------------------------------------------------------------


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if settings.ca_file:
        try:
            context.load_verify_locations(settings.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigurationError(f"{CA_FILE}={settings.ca_file} cannot be loaded: {exc}") from exc
    return context


class _Deadline:
    """Cuts the connection when the whole exchange has taken too long: each read already has
    its own timeout, but a server can answer a byte at a time for ever."""

    def __init__(self, client: smtplib.SMTP, seconds: float) -> None:
        self.client = client
        self.expired = False
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def _cut(self) -> None:
        self.expired = True
        sock = getattr(self.client, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()


@contextlib.contextmanager
def session(settings: SmtpSettings) -> Iterator[smtplib.SMTP]:
    """A connection to the server, TLS set up and logged in; every failure inside it, the
    block's own included, becomes one :class:`DeliveryError` that says what happened. The
    whole exchange is bounded by ``settings.exchange_seconds``."""
    if settings.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(timeout=TIMEOUT_SECONDS, context=_tls_context(settings))
    else:
        client = smtplib.SMTP(timeout=TIMEOUT_SECONDS)
    # Connecting after the constructor lets the deadline cover the greeting; smtplib's TLS
    # checks the certificate against the host it keeps in _host, which only the constructor sets.
    client._host = settings.host  # type: ignore[attr-defined]
    deadline = _Deadline(client, settings.exchange_seconds)
    try:
        with deadline:
            client.connect(settings.host, settings.port)
            with client:
                client.ehlo()
                if settings.scheme == "smtp":
                    if not client.has_extn("starttls"):
                        raise DeliveryError(
                            f"{settings.label} does not offer STARTTLS; use smtps:// for implicit TLS, or "
                            "smtp+insecure:// for a local relay only."
                        )
                    client.starttls(context=_tls_context(settings))
                    client.ehlo()
                if settings.user and settings.password:
                    client.login(settings.user, settings.password)
                yield client
    except DeliveryError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{settings.label} refused the login for {settings.user!r} ({_reply(exc)}).") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(
            f"{settings.label} refused every recipient: {_refusals(exc.recipients)}. Nothing was sent."
        ) from None
    except smtplib.SMTPSenderRefused as exc:
        raise DeliveryError(f"{settings.label} refused the sender {settings.sender!r} ({_reply(exc)}).") from None
    except smtplib.SMTPDataError as exc:
        raise DeliveryError(f"{settings.label} refused the message ({_reply(exc)}). Nothing was sent.") from None
    except ssl.SSLError as exc:
        raise DeliveryError(f"TLS with {settings.label} failed: {exc.reason or exc}. Nothing was sent.") from None
    except (TimeoutError, smtplib.SMTPException, OSError, ValueError) as exc:
        if deadline.expired:
            raise DeliveryError(
                f"{settings.label} did not finish the exchange within {settings.exchange_seconds:g} s "
                "and was cut off. Nothing was sent."
            ) from None
        detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise DeliveryError(f"cannot deliver through {settings.label}: {detail}. Nothing was sent.") from None


def send(message: EmailMessage, settings: SmtpSettings, recipients: Sequence[str]) -> None:
    """Deliver to exactly ``recipients``; raise DeliveryError unless every one was accepted."""
    envelope = [validate_address(r) for r in recipients]
    with session(settings) as client:
        refused = client.send_message(message, from_addr=settings.sender, to_addrs=envelope)
    if refused:
        raise DeliveryError(f"{settings.label} refused {_refusals(refused)}; the other recipients received the pack.")


def _reply(exc: smtplib.SMTPResponseException) -> str:
    return _answer(exc.smtp_code, exc.smtp_error)


def _answer(code: int, text: bytes | str) -> str:
    """A server's reply as one line: ``550 no such user``."""
    shown = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"{code} {single_line(shown)}"


def _refusals(refused: Mapping[str, tuple[int, bytes]]) -> str:
    return ", ".join(f"{addr} ({_answer(code, msg)})" for addr, (code, msg) in refused.items())


@dataclass(frozen=True)
class Outgoing(Generic[T]):
    """One message for one address: ``item`` is what the caller sends it for (a recipient's
    delivery, an owner's reminder), ``named`` how an error names its addressee."""

    item: T
    message: EmailMessage
    address: str
    named: str


def send_each(
    settings: SmtpSettings, outgoing: Sequence[Outgoing[T]], on_sent: Callable[[T], None], *, partial: str
) -> list[str]:
    """Each message to its own address over one connection; ``on_sent`` hears of each once the
    server accepted it. Returns the refused, each ``named (reply)``, after the others were sent.
    When the exchange fails after some were sent, the DeliveryError says so with ``partial``
    ("The owners listed above were reminded; not reminded") and names the rest."""
    refused: list[str] = []
    sent: set[int] = set()
    try:
        with session(settings) as client:
            for index, out in enumerate(outgoing):
                try:
                    client.send_message(out.message, from_addr=settings.sender, to_addrs=[out.address])
                except smtplib.SMTPRecipientsRefused as exc:
                    replies = ", ".join(_answer(code, text) for code, text in exc.recipients.values())
                    refused.append(f"{out.named} ({replies})")
                    continue
                except smtplib.SMTPDataError as exc:
                    refused.append(f"{out.named} ({_reply(exc)})")
                    continue
                sent.add(index)
                on_sent(out.item)
    except DeliveryError as error:
        if not sent:
            raise
        # Some were served before the exchange failed: say so rather than "nothing".
        stopped = str(error).replace(" Nothing was sent.", "")
        missed = [out.named for index, out in enumerate(outgoing) if index not in sent]
        raise DeliveryError(f"{stopped} {partial}: {', '.join(missed)}.") from None
    return refused


def dry_run_sender(environ: Mapping[str, str] | None = None) -> str:
    """The From of messages written instead of sent: KPIREPORT_FROM, else a placeholder."""
    env = os.environ if environ is None else environ
    return env.get(SENDER, "").strip() or DRY_RUN_SENDER


def address_slug(address: str) -> str:
    """An address as part of a dry run's file name: ``ann_o'neil@x.jp`` → ``ann_o_neil@x.jp``."""
    return re.sub(r"[^A-Za-z0-9._@-]", "_", address.casefold())


# -- packs on disk --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackFiles:
    """One pack's files: the PDF to attach, its JSON (the body's summary, when it is there) and
    the other formats given, attached after the PDF in the registry's order."""

    pdf: Path
    json: Path | None = None
    others: tuple[Path, ...] = ()


def _beside(stem: Path, suffix: str) -> Path:
    # Not Path.with_suffix: kpi.v2-2026-11 has no suffix to replace, and would become kpi.json.
    return stem.parent / f"{stem.name}.{suffix}"


def group_pack_files(paths: Sequence[Path]) -> list[PackFiles]:
    """Group PACK arguments by name; each needs its PDF, and uses its JSON beside it or given."""
    stems: dict[Path, dict[str, Path]] = {}
    for path in paths:
        if not path.is_file():
            raise PackError(f"{path} does not exist.")
        suffix = path.suffix.lower().lstrip(".")
        if suffix not in FORMATS:
            kinds = ", ".join(f.suffix for f in REGISTRY)
            raise PackError(f"{path.name} is not a pack file ({kinds}).")
        stems.setdefault(path.parent / path.stem, {})[suffix] = path
    packs = []
    for stem, files in stems.items():
        pdf = files.get("pdf") or _beside(stem, "pdf")
        data = files.get("json") or _beside(stem, "json")
        if not pdf.is_file():
            raise PackError(f"{pdf.name} is missing: build the pack with --format pdf first.")
        others = tuple(files[kind] for kind in ATTACHABLE if kind in files and kind != "pdf")
        packs.append(PackFiles(pdf, data if data.is_file() else None, others))
    return packs


def _plain_body(pdf: Path, locale: Locale) -> Body:
    """A body from what the pack's file name tells (``kpi-2026-10.pdf``: the workbook and the
    month) when its JSON is not there: the title and the month, never a figure."""
    text = labels(locale)
    pack = parse_pack_file_name(pdf.name)
    name = single_line(pack.stem if pack else pdf.stem)
    try:
        month = month_name(locale, Month.parse(pack.month)) if pack else ""
    except ValueError:
        month = pack.month if pack else ""
    title = f"{text['monthly_review']}: {name}" + (f", {month}" if month else "")
    paragraphs = [title, text["pack_attached"]]
    html = (
        f'<html lang="{locale}"><body style="font-family:sans-serif">'
        f"<p><strong>{escape(title)}</strong></p><p>{escape(text['pack_attached'])}</p></body></html>"
    )
    return Body(f"{name} — {text['monthly_review']} {month}".strip(), paragraphs, html)


def compose_pack(
    pack: PackFiles, *, sender: str, to: Sequence[str], cc: Sequence[str], subject: str | None
) -> EmailMessage:
    """The message for a pack on disk: its PDF (and HTML) attached, the body from its JSON, or
    a plain body naming the pack when there is no JSON."""
    attachments = [pack.pdf, *pack.others]
    data = load_pack_json(pack.json) if pack.json else None
    if data is not None and "summary" in data:
        body = summary_body(Summary.from_json(data["summary"]))
    else:  # no JSON, or one written before packs carried their summary
        body = _plain_body(pack.pdf, pack_locale(data) if data else "en")
    return compose(body, attachments, sender=sender, to=to, cc=cc, subject=subject)


# -- delivering built packs ------------------------------------------------------------------------


def mail_formats(formats: Sequence[str], attach: Sequence[str]) -> list[str]:
    """The formats a build that e-mails its packs makes: those asked for, those attached, and
    what every pack's message needs (the PDF attached, the JSON its body is read from)."""
    return in_order([*formats, *attach, *MAIL_NEEDS])


def check_mail_settings(to: Sequence[str], cc: Sequence[str]) -> SmtpSettings:
    """Before anything is built that will be e-mailed: every address and the SMTP settings."""
    for address in [*to, *cc]:
        validate_address(address)
    return smtp_settings()


def deliver(
    outputs: Sequence[Path],
    to: Sequence[str],
    cc: Sequence[str],
    subject: str | None,
    attach: Sequence[str],
    on_sent: Callable[[PackFiles], None],
) -> None:
    """E-mail the packs among ``outputs`` (their PDF, the formats in ``attach``, the JSON as the
    body) to ``to`` and ``cc``; ``on_sent`` hears of each pack once the server accepted it."""
    settings = smtp_settings()
    wanted = {*attach, *MAIL_NEEDS}
    for pack in group_pack_files([path for path in outputs if path.suffix.lstrip(".").lower() in wanted]):
        message = compose_pack(pack, sender=settings.sender, to=to, cc=cc, subject=subject)
        send(message, settings, [*to, *cc])
        on_sent(pack)


def deliver_or_say(
    outputs: Sequence[Path],
    to: Sequence[str],
    cc: Sequence[str],
    attach: Sequence[str],
    on_sent: Callable[[PackFiles], None],
) -> str | None:
    """:func:`deliver` for a loop that goes on whatever happens (``watch``): why nothing was
    sent, or None when every pack was."""
    try:
        deliver(outputs, to, cc, None, attach, on_sent)
    except KpiReportError as error:
        return str(error)
    return None
