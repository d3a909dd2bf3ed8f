"""Turning a finished view model into HTML and PDF.

Templates are looked up first in a user's ``--templates`` folder, then in the packaged
defaults. WeasyPrint is imported only when a PDF is asked for: ``check`` and JSON-only builds
never pay for it.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import traceback
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import jinja2.bccache
import jinja2.loaders
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from kpireport.errors import KpiReportError, RenderError
from kpireport.presenting import engine
from kpireport.presenting.contents import numbered_cover, section_pages
from kpireport.presenting.explore import Explore
from kpireport.presenting.view import PackView
from kpireport.reading.inputs import read_bounded
from kpireport.version import __version__

if TYPE_CHECKING:
    from weasyprint import URLFetcher

PACK_TEMPLATE = "pack.html.j2"
PACK_SCRIPT = "pack.js"


def templates_root() -> Traversable:
    """The packaged templates; in a source checkout, the repository's ``templates/``."""
    packaged = resources.files("kpireport") / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


MAX_TEMPLATE_BYTES = 1024 * 1024


class _ConfinedLoader(jinja2.BaseLoader):
    """Loads templates from one folder and nothing outside it: no ``..``, no absolute path,
    no link that leads out, no device or pipe, nothing over a megabyte. ``root`` is the
    packaged templates (a Traversable, so a zipped package works) or a user's folder."""

    def __init__(self, root: Traversable, *, user: bool) -> None:
        self.root = root
        self.user = user

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Any]:
        # Refuses "..", empty and absolute parts as Jinja's own FileSystemLoader does.
        parts = jinja2.loaders.split_template_path(template)
        entry = self.root
        for part in parts:
            entry = entry / part
        if self.user:
            data = self._user_file(template, Path(str(entry)))
        elif entry.is_file():
            data = entry.read_bytes()
        else:
            raise jinja2.TemplateNotFound(template)
        try:
            return data.decode("utf-8"), template, lambda: True
        except UnicodeDecodeError:
            raise KpiReportError(f"template {template} is not UTF-8 text; save it as UTF-8.") from None

    def _user_file(self, template: str, path: Path) -> bytes:
        root = Path(str(self.root)).resolve()
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):  # a loop of links
            raise jinja2.TemplateNotFound(template) from None
        if not resolved.is_relative_to(root):
            raise KpiReportError(
                f"template {template} leads outside the --templates folder ({resolved}); "
                "templates may only use files inside it."
            )
        if not resolved.exists():
            raise jinja2.TemplateNotFound(template)
        return read_bounded(resolved, MAX_TEMPLATE_BYTES, "template")


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, in its per-user folder of the system's temp
    directory (created 0700 and refused when anyone else owns it). A cache that cannot be read
    or written is no cache, never a failed build."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    # Compiling the pack's templates costs a build 0.1-0.2 s, every month the same. An entry is
    # keyed by the template's name and checked against its source's checksum, so an edited
    # --templates file is compiled afresh; the pattern keeps kpireport's entries apart from
    # other Jinja programs', whose settings (autoescape, the sandbox) may differ.
    try:
        return _QuietBytecodeCache(pattern=f"__kpireport_{__version__}_%s.cache")
    except (OSError, RuntimeError):  # no safe temp folder: compile every time
        return None


@functools.lru_cache(maxsize=8)
def environment(user_templates: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        if not user_templates.is_dir():
            raise KpiReportError(f"--templates {user_templates} is not a folder.")
        loaders.append(_ConfinedLoader(user_templates, user=True))
    loaders.append(_ConfinedLoader(templates_root(), user=False))
    # The sandbox: a template (a user's may come from anyone) reaches only the view model's
    # data, never Python's internals, files or the network.
    return SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        # Workbook text is never trusted: every variable is escaped, .css includes too.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_bytecode_cache(),
    )


def _script(environment_: jinja2.Environment, explore: Explore) -> dict[str, Markup]:
    """The interactive pack's script, its data, and the hash the page's Content-Security-Policy
    allows it by: the hash of exactly the text between its tags."""
    assert environment_.loader is not None
    source = environment_.loader.get_source(environment_, PACK_SCRIPT)[0]
    digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
    return {"script": Markup(source), "script_hash": Markup(f"sha256-{digest}"), "data": explore.as_script()}


def render_html(view: PackView, user_templates: Path | None = None, *, interactive: bool = False) -> str:
    """The pack as HTML: for WeasyPrint's PDF, or ``interactive``, the page a reader explores
    (the view must then have been built with its ``explore`` part)."""
    environment_ = environment(user_templates)
    try:
        context = view.as_context()
        context["explore"] = _script(environment_, view.explore) if interactive and view.explore else None
        return environment_.get_template(PACK_TEMPLATE).render(context)
    except KpiReportError:
        raise
    except RecursionError:
        raise RenderError("a template includes or extends itself without end; break the loop.") from None
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(
            f"template {exc.name or exc.filename or PACK_TEMPLATE} line {exc.lineno}: {exc.message}"
        ) from None
    except Exception as exc:  # an error raised while the template runs: {{ 1/0 }}, a missing name
        raise RenderError(f"template {_template_line(exc)}: {exc.__class__.__name__}: {exc}") from None


def _template_line(exc: BaseException) -> str:
    """``name line N`` of the template frame nearest the error (Jinja puts the template's own
    file and line in the traceback), else the pack template's name."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and not frame.filename.endswith(".py"):
            return f"{Path(frame.filename).name} line {frame.lineno}"
    return PACK_TEMPLATE


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


def scope_table_headers(document: object, pdf: Any) -> None:
    """Give every /TH of the PDF's structure tree its /Scope (PDF/UA-1 7.5), which WeasyPrint
    does not write: a header in a row of headers heads its column, a header beside data cells
    heads its row. A WeasyPrint finisher: it runs on the PDF's objects before they are written."""
    by_number = {getattr(obj, "number", None): obj for obj in pdf.objects if isinstance(obj, dict)}

    def child(reference: object) -> Any:
        if isinstance(reference, bytes) and reference.endswith(b" R"):
            return by_number.get(int(reference.split()[0]))
        return None

    for row in [obj for obj in by_number.values() if obj.get("S") == "/TR"]:
        cells = [cell for cell in map(child, row.get("K", ())) if cell is not None]
        scope = "/Column" if all(cell.get("S") == "/TH" for cell in cells) else "/Row"
        for cell in cells:
            if cell.get("S") == "/TH" and isinstance(cell.get("A"), dict):
                cell["A"]["Scope"] = scope


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
    with engine.gc_paused():
        fetcher = _refusing_fetcher()
        # One font configuration for both layouts: making one reads the system's fonts.
        fonts = weasyprint.text.fonts.FontConfiguration()
        document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).render(fonts, **options)
        # The cover again, its contents numbered from the pages just laid out (contents.py).
        cover = numbered_cover(html, section_pages(document.pages))
        if cover is not None and document.pages:
            first = weasyprint.HTML(string=cover, base_url=None, url_fetcher=fetcher).render(fonts, **options)
            document = document.copy([first.pages[0], *document.pages[1:]])
        pdf = document.write_pdf(finisher=scope_table_headers, **options)
    assert isinstance(pdf, bytes)
    return pdf
