"""``kpireport doctor``: what this machine can do, and the command that fixes what it cannot.

Each check is a row: what was looked at, what was found, and, when a pack needs it and it is
missing, how to get it. Optional tools (a browser, LibreOffice) and the SMTP settings are shown
but only fail the doctor when asked for (``--smtp``).
"""

from __future__ import annotations

import os
import platform
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from kpireport.errors import KpiReportError
from kpireport.version import __version__

State = Literal["ok", "missing", "optional", "info"]
PANGO_MINIMUM = (1, 44)
SYSTEM_LIBRARIES = "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"


@dataclass(frozen=True)
class Check:
    name: str
    state: State
    found: str
    fix: str = ""

    @property
    def failed(self) -> bool:
        return self.state == "missing"


def _version_text(numbers: Sequence[int]) -> str:
    return ".".join(str(n) for n in numbers)


def _engine() -> list[Check]:
    from kpireport.presenting import engine

    try:
        weasyprint = engine.load()
    except (OSError, ImportError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return [Check("WeasyPrint", "missing", f"cannot load: {reason}", SYSTEM_LIBRARIES)]
    from weasyprint.text.ffi import pango

    raw = int(pango.pango_version())
    pango_version = (raw // 10000, raw // 100 % 100, raw % 100)
    pango_ok = pango_version[:2] >= PANGO_MINIMUM
    return [
        Check("WeasyPrint", "ok", str(weasyprint.__version__)),
        Check(
            "Pango",
            "ok" if pango_ok else "missing",
            _version_text(pango_version),
            "" if pango_ok else f"Pango {_version_text(PANGO_MINIMUM)} or later: {SYSTEM_LIBRARIES}",
        ),
    ]


def _fonts(languages: Sequence[str]) -> list[Check]:
    from kpireport.presenting.fonts import INSTALL_HINTS, LANGUAGE_NAMES, fontconfig

    fc = fontconfig()
    if fc is None:
        return [Check("fontconfig", "missing", "not installed", "sudo apt-get install fontconfig")]
    checks = []
    for lang in languages:
        coverage = fc.coverage(lang)
        name = f"Font for {LANGUAGE_NAMES.get(lang, lang)} ({lang})"
        if coverage.ok:
            others = len(coverage.families) - 1
            found = f"{coverage.picked if coverage.picked in coverage.families else coverage.families[0]}"
            checks.append(Check(name, "ok", found + (f" (and {others} more)" if others > 0 else "")))
        else:
            found = f"none draws {lang}" + (
                f"; fontconfig would fall back to {coverage.picked}" if coverage.picked else ""
            )
            checks.append(Check(name, "missing", found, INSTALL_HINTS.get(lang, "")))
    return checks


def _tools(which: Callable[[str], str | None]) -> list[Check]:
    tools = (
        ("Chromium", ("chromium", "chromium-browser", "google-chrome"), "only the test suite drives it"),
        ("LibreOffice", ("soffice", "libreoffice"), "only the benchmark and deck checks use it"),
    )
    checks = []
    for name, commands, use in tools:
        path = next((found for command in commands if (found := which(command))), None)
        checks.append(Check(name, "info" if path else "optional", path or f"not installed ({use})"))
    return checks


def _smtp(environ: Mapping[str, str], try_login: bool) -> list[Check]:
    from kpireport.delivering.mail import SMTP_URL, session, smtp_settings

    if not environ.get(SMTP_URL) and not try_login:
        return [Check("SMTP", "optional", f"{SMTP_URL} is not set (needed only for send and --email-to)")]
    try:
        settings = smtp_settings(environ)
    except KpiReportError as error:
        return [Check("SMTP", "missing" if try_login else "optional", str(error))]
    # Never the password: whether one is set is all that is shown.
    login = f"{settings.user}@" if settings.user else ""
    found = (
        f"{settings.scheme}://{login}{settings.label}, from {settings.sender}, "
        f"password {'set' if settings.password else 'not set'}"
    )
    checks = [Check("SMTP", "info", found)]
    if try_login:
        try:
            with session(settings):
                pass
        except KpiReportError as error:
            checks.append(Check("SMTP connection", "missing", str(error), "check the server, the port and the login"))
        else:
            checks.append(Check("SMTP connection", "ok", "connected" + (" and logged in" if settings.user else "")))
    return checks


def diagnose(
    languages: Sequence[str] = ("en", "ja"),
    *,
    smtp: bool = False,
    environ: Mapping[str, str] | None = None,
    which: Callable[[str], str | None] = shutil.which,
) -> list[Check]:
    return [
        Check("kpireport", "info", __version__),
        Check("Python", "info", platform.python_version()),
        *_engine(),
        *_fonts(languages),
        *_tools(which),
        *_smtp(os.environ if environ is None else environ, smtp),
    ]
