"""The HTML pack in a real browser (Debian's headless Chromium): it loads with no console error
and no network request, at laptop and phone widths, and a screenshot is saved.

Every request Chromium makes goes to a loopback proxy that counts connections; a control page
with a remote image proves the harness would notice one. Chromium's own background services
(network time, component updates, sign-in) also knock on the proxy even with their switches off;
they go to Google's service hosts, which the pack never names, so those are set aside. So is a
connection that sends nothing at all in five seconds: Chromium warms a socket to its proxy before
it knows what for (seen once on a fresh machine), and a socket that carries no request fetches
nothing.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SAMPLE_EN, SAMPLE_JA

from kpireport.build import BuildOptions, build_pack

BROWSER_SERVICES = re.compile(r"^\S+ (https?://)?[\w.-]*(google\.com|googleapis\.com|gstatic\.com)[:/ ]")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")


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


@pytest.fixture
def proxy() -> Iterator[CountingProxy]:
    counting = CountingProxy()
    yield counting
    counting.close()


def load(page: Path, screenshot: Path, width: int, proxy: CountingProxy) -> list[str]:
    """Open ``page`` headless; return the console messages Chromium logged."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        run = subprocess.run(
            [
                CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--hide-scrollbars", f"--user-data-dir={profile}",
                "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter",
                "--disable-domain-reliability", "--no-pings", "--disable-client-side-phishing-detection",
                f"--proxy-server=http://127.0.0.1:{proxy.port}", "--proxy-bypass-list=<-loopback>",
                "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000",
                f"--window-size={width},2000", f"--screenshot={screenshot}", page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    return [line for line in run.stderr.splitlines() if ":CONSOLE" in line]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("html")
    return {
        lang: build_pack(sample, BuildOptions(out_dir=out, formats=("html",))).outputs[0]
        for lang, sample in (("en", SAMPLE_EN), ("ja", SAMPLE_JA))
    }


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_pack_loads_with_no_console_error_and_no_request(
    pages: dict[str, Path], lang: str, width: int, proxy: CountingProxy
) -> None:
    screenshot = pages[lang].with_name(f"screenshot-{lang}-{width}.png")
    console = load(pages[lang], screenshot, width, proxy)
    assert console == []
    assert proxy.requests == []
    assert screenshot.stat().st_size > 20_000  # a real rendering, not a blank page


def test_the_harness_notices_a_request(tmp_path: Path, proxy: CountingProxy) -> None:
    control = tmp_path / "control.html"
    control.write_text('<html><body><img src="http://kpireport.invalid/logo.png"></body></html>')
    load(control, tmp_path / "control.png", 800, proxy)
    assert any("kpireport.invalid" in request for request in proxy.requests), proxy.requests
