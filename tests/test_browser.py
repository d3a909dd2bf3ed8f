"""The HTML pack in a real browser (Debian's headless Chromium, driven by Playwright): it loads with
no console message and no network request at a laptop's and a phone's width.

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

import pytest
from conftest import SAMPLE_EN, SAMPLE_JA
from playwright.sync_api import Browser, Page, sync_playwright

from kpireport.build import BuildOptions, build_pack

BROWSER_SERVICES = re.compile(r"^\S+ (https?://)?[\w.-]*(google\.com|googleapis\.com|gstatic\.com)[:/ ]")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")

PHONE = (390, 844)  # an iPhone 12 to 15's viewport in CSS px
LAPTOP = (1280, 900)


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
