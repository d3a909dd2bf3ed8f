"""The HTML pack in a real browser (Debian's headless Chromium, driven by Playwright): it loads with
no console message and no network request at a laptop's and a phone's width, and on a phone its KPI
tree reads at a size a reader can read, inside the screen.

The widths are true viewports, which Playwright sets: Chromium's own ``--window-size`` lays no page
out narrower than 500 px, so a "390 px" screenshot taken that way shows the page at 500. Each test
checks the width the page was laid out at.

Every request Chromium makes goes to a loopback proxy that counts connections; a control page
with a remote image proves the harness would notice one. Chromium's own background services
(network time, component updates, sign-in) also knock on the proxy even with their switches off;
they go to Google's service hosts, which the pack never names, so those are set aside. So is a
connection that sends nothing at all in five seconds: Chromium warms a socket to its proxy before
it knows what for (seen once on a fresh machine), and a socket that carries no request fetches
nothing. The page's own request events are checked too: they are complete once the page has
loaded, where the proxy reads its connections one at a time.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE_EN, SAMPLE_JA
from playwright.sync_api import Browser, Page, sync_playwright

from kpireport.build import BuildOptions, build_pack

BROWSER_SERVICES = re.compile(r"^\S+ (https?://)?[\w.-]*(google\.com|googleapis\.com|gstatic\.com)[:/ ]")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")

PHONE = (390, 844)  # an iPhone 12 to 15's viewport in CSS px
LAPTOP = (1280, 900)
# Below this a label is read with effort: 11 px type, whose line box is about 12 px tall.
READABLE_FONT_PX = 11.0
READABLE_BOX_PX = 12.0
# The narrowest window that shows the tree as a drawing (explore.css shows it as lists below): a
# tablet held landscape.
NARROWEST_DRAWING = 1024


class CountingProxy:
    """Accepts connections on 127.0.0.1 and records the first line of each request."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.requests: list[str] = []
        self.idle = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(5)
                try:
                    first = connection.recv(300)
                except OSError:
                    first = b""
                if not first:
                    self.idle += 1
                    continue
                request = first.decode("latin-1").splitlines()[0]
                if not BROWSER_SERVICES.match(request):
                    self.requests.append(request)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.server.close()


@pytest.fixture(scope="module")
def proxy() -> Iterator[CountingProxy]:
    counting = CountingProxy()
    yield counting
    counting.close()


@pytest.fixture(scope="module")
def browser(proxy: CountingProxy) -> Iterator[Browser]:
    """One Chromium for the module (a launch costs more than a test), every connection it makes
    through the counting proxy, loopback included."""
    assert CHROMIUM is not None
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox", "--disable-quic", "--disable-domain-reliability", "--no-pings",
                f"--proxy-server=http://127.0.0.1:{proxy.port}", "--proxy-bypass-list=<-loopback>",
            ],
        )  # fmt: skip
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("html")
    return {
        lang: build_pack(sample, BuildOptions(out_dir=out, formats=("html",))).outputs[0]
        for lang, sample in (("en", SAMPLE_EN), ("ja", SAMPLE_JA))
    }


class Loaded:
    """A page opened at a true viewport, with every console message and request it made."""

    def __init__(self, browser: Browser, path: Path, size: tuple[int, int]) -> None:
        self.page: Page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        self.console: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        self.page.on("pageerror", lambda error: self.console.append(f"uncaught: {error}"))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.goto(path.as_uri())
        assert self.page.evaluate("innerWidth") == size[0]  # laid out at the width asked for

    def boxes(self, selector: str) -> list[dict[str, Any]]:
        """Each element's box on the page and its font size as shown, in CSS px: an SVG label's
        computed size is in the drawing's units, so it is scaled as the drawing is."""
        script = """elements => elements.map(e => {
            const box = e.getBoundingClientRect();
            const scale = e.getScreenCTM ? e.getScreenCTM().a : 1;
            return {text: e.textContent, left: box.left, right: box.right, height: box.height,
                    font: parseFloat(getComputedStyle(e).fontSize) * scale};
        })"""
        found: list[dict[str, Any]] = self.page.locator(selector).evaluate_all(script)
        return found


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["1280", "390"])
def test_the_pack_loads_with_no_console_message_and_no_request(
    browser: Browser, pages: dict[str, Path], proxy: CountingProxy, lang: str, size: tuple[int, int]
) -> None:
    before = len(proxy.requests)
    loaded = Loaded(browser, pages[lang], size)
    screenshot = pages[lang].with_name(f"screenshot-{lang}-{size[0]}.png")
    loaded.page.screenshot(path=str(screenshot))
    loaded.page.close()
    assert loaded.console == []
    assert loaded.requests == [pages[lang].as_uri()]  # the page itself, from disk
    assert proxy.requests[before:] == []
    assert screenshot.stat().st_size > 20_000  # a real rendering, not a blank page


def test_the_harness_notices_a_request(browser: Browser, proxy: CountingProxy, tmp_path: Path) -> None:
    control = tmp_path / "control.html"
    control.write_text('<html><body><img src="http://kpireport.invalid/logo.png"></body></html>')
    loaded = Loaded(browser, control, LAPTOP)
    loaded.page.close()
    assert "http://kpireport.invalid/logo.png" in loaded.requests
    assert any("kpireport.invalid" in request for request in proxy.requests), proxy.requests


def _drawn(loaded: Loaded) -> list[tuple[str, str]]:
    """Each KPI of the tree's drawings, in order, with the attainment drawn beside its name."""
    script = "labels => labels.map(t => [t.dataset.kpi, t.nextElementSibling.textContent])"
    pairs: list[list[str]] = loaded.page.locator("#tree svg.tree text[data-kpi]").evaluate_all(script)
    return [(kpi, attainment) for kpi, attainment in pairs]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_on_a_phone_the_tree_is_a_list_read_at_a_readable_size(
    browser: Browser, pages: dict[str, Path], lang: str
) -> None:
    loaded = Loaded(browser, pages[lang], PHONE)
    page = loaded.page
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]  # no sideways scroll
        # Every label of the tree the reader sees, drawn or listed (a hidden one has no box).
        shown = "#tree svg.tree text, #tree .tree-list :is(h3, .tree-note, .tree-dept, .kpi-open, .tree-att)"
        labels = [label for label in loaded.boxes(shown) if label["height"] > 0]
        assert len(labels) > 2 * len(_drawn(loaded))  # each KPI's name and attainment at least
        for label in labels:
            assert label["font"] >= READABLE_FONT_PX, label
            assert label["height"] >= READABLE_BOX_PX, label
            assert label["left"] >= 0 and label["right"] <= PHONE[0], label  # wrapped, never cut
        assert not any(svg.is_visible() for svg in page.locator("#tree svg.tree").all())
        # The list says what the drawing says: every KPI, in its order, with its attainment.
        script = "rows => rows.map(li => [li.querySelector('.kpi-open').dataset.open, li.lastChild.textContent])"
        listed = page.locator("#tree .tree-kpis > li").evaluate_all(script)
        assert [tuple(row) for row in listed] == _drawn(loaded)
    finally:
        page.close()
    assert loaded.console == []


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_wide_window_and_print_show_the_drawing_with_readable_labels(
    browser: Browser, pages: dict[str, Path], lang: str
) -> None:
    loaded = Loaded(browser, pages[lang], (NARROWEST_DRAWING, 900))
    page = loaded.page
    try:
        assert not page.locator("#tree .tree-list").first.is_visible()
        names = loaded.boxes("#tree svg.tree text[data-kpi]")
        assert names and all(name["font"] >= READABLE_FONT_PX for name in names), names
        page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
        page.emulate_media(media="print")  # a phone's print is the PDF's drawing, not the list
        assert page.locator("#tree svg.tree").first.is_visible()
        assert not page.locator("#tree .tree-list").first.is_visible()
    finally:
        page.close()
