"""Turning a finished view model into HTML and PDF.

Templates are looked up first in a user's ``--templates`` folder, then in the packaged
defaults. WeasyPrint is imported only when a PDF is asked for: ``check`` and JSON-only builds
never pay for it.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import threading
from collections.abc import Iterator
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from kpireport import engine
from kpireport.errors import KpiReportError, RenderError
from kpireport.view import PackView

if TYPE_CHECKING:
    from weasyprint import URLFetcher

PACK_TEMPLATE = "pack.html.j2"
# A 1,000-KPI pack renders in well under a minute here; past this something is wrong.
RENDER_SECONDS = 300.0


def templates_root() -> Traversable:
    """The packaged templates; in a source checkout, the repository's ``templates/``."""
    packaged = resources.files("kpireport") / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


class _PackagedLoader(jinja2.BaseLoader):
    """Loads templates through importlib.resources, so a zipped or installed package works."""

    def __init__(self, root: Traversable) -> None:
        self.root = root

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Any]:
        entry = self.root
        for part in template.split("/"):
            entry = entry / part
        if not entry.is_file():
            raise jinja2.TemplateNotFound(template)
        return entry.read_text(encoding="utf-8"), None, lambda: True


@functools.lru_cache(maxsize=8)
def environment(user_templates: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        if not user_templates.is_dir():
            raise KpiReportError(f"--templates {user_templates} is not a folder.")
        loaders.append(jinja2.FileSystemLoader(user_templates))
    loaders.append(_PackagedLoader(templates_root()))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # Workbook text is never trusted: every variable is escaped, .css includes too.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(view: PackView, user_templates: Path | None = None) -> str:
    try:
        template = environment(user_templates).get_template(PACK_TEMPLATE)
        return template.render(view.as_context())
    except jinja2.TemplateError as exc:
        raise KpiReportError(f"template error: {exc}") from exc


def _refusing_fetcher() -> URLFetcher:
    fetcher_base = engine.load().URLFetcher

    class RefusingFetcher(fetcher_base):  # type: ignore[misc,valid-type]
        """The pack is self-contained, so the renderer may fetch nothing but inline images:
        no network, no file, no redirect, whatever a template or workbook text says."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(("data:image/png;", "data:image/svg+xml;", "data:image/jpeg;")):
                return super().fetch(url, headers)
            raise ValueError(f"kpireport does not fetch {url[:80]!r}")

    return RefusingFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


@contextlib.contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Raise RenderError when the block runs longer than ``seconds`` (main thread only:
    signals cannot interrupt other threads)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise RenderError(f"rendering the PDF took longer than {seconds:g} s and was stopped.")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_pdf(html: str, *, source: tuple[str, bytes] | None = None) -> bytes:
    """The PDF: tagged for accessibility (PDF/UA-1); with ``source`` (name, bytes), an
    auditable PDF/A-3b carrying the workbook it was built from as an attachment."""
    import io

    weasyprint = engine.load()
    options: dict[str, Any] = {"pdf_tags": True, "pdf_variant": "pdf/ua-1"}
    if source is not None:
        name, data = source
        options["pdf_variant"] = "pdf/a-3b"
        options["attachments"] = [
            weasyprint.Attachment(
                file_obj=io.BytesIO(data), name=name, description="Source workbook", relationship="Source"
            )
        ]
    with time_bound(RENDER_SECONDS), engine.gc_paused():
        document = weasyprint.HTML(string=html, base_url=None, url_fetcher=_refusing_fetcher())
        pdf = document.write_pdf(**options)
    assert isinstance(pdf, bytes)
    return pdf
