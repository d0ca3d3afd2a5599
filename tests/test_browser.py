"""A report bundle as a reader sees it: headless Chromium opens index.html and a report.

Driven over the DevTools protocol (websocket-client): console errors and uncaught
exceptions are collected, every image must have loaded (naturalWidth > 0), no dialog
may open (a ``<script>`` in a title must stay text), and durations must have been
filled in from manifest.js. Skipped, with the reason, where Chromium is absent.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from test_report import HOSTILE_TITLE, boom, stand_in, write_config, write_corpus

from conflictlens import report

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = next((p for p in (os.environ.get("CHROMIUM"), shutil.which("chromium"),
                             "/usr/bin/chromium", shutil.which("chromium-browser"))
                 if p and os.path.exists(p)), None)  # fmt: skip
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--window-size=1360,1800"]  # fmt: skip

if CHROMIUM is None:
    pytest.skip("headless Chromium not installed (apt-get install chromium; .ci/run does)",
                allow_module_level=True)  # fmt: skip
websocket = pytest.importorskip("websocket", reason="websocket-client (dev extra) not installed")


class Page:
    """A minimal DevTools client for one page: navigate, evaluate, collect errors."""

    def __init__(self, ws_url: str):
        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)
        raise TimeoutError(method)

    def wait_for(self, event: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for i, msg in enumerate(self.events):
            if msg.get("method") == event:
                return self.events.pop(i)
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == event:
                return msg
            self.events.append(msg)
        raise TimeoutError(event)

    def open(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        self.eval("new Promise(r => setTimeout(r, 200))")  # let late errors arrive

    def eval(self, expression: str):
        res = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                        awaitPromise=True)  # fmt: skip
        if "exceptionDetails" in res:
            raise RuntimeError(res["exceptionDetails"])
        return res["result"].get("value")

    def errors(self) -> list[str]:
        out = []
        for msg in self.events:
            m, p = msg.get("method"), msg.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in {"error", "assert"}:
                out.append(" ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
            elif m == "Runtime.exceptionThrown":
                out.append(p["exceptionDetails"].get("text", "exception"))
            elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
                out.append(f"{p['entry'].get('text')} {p['entry'].get('url', '')}")
            elif m == "Page.javascriptDialogOpening":
                out.append(f"dialog opened: {p.get('message')}")
        return out

    def screenshot(self, path: Path) -> None:
        import base64

        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path.write_bytes(base64.b64decode(data))


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}",
                             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip
    try:
        port = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and port is None:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                break
            m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            port = int(m.group(1)) if m else None
        if port is None:
            pytest.fail(f"Chromium did not start its DevTools endpoint (exit {proc.poll()})")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
            pages = [t for t in json.load(resp) if t["type"] == "page"]
        page = Page(pages[0]["webSocketDebuggerUrl"])
        yield page
        page.ws.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """A bundle with the stand-in, a failing notebook, and the real 00 when present."""
    base = tmp_path_factory.mktemp("browser-bundle")
    nbs = base / "notebooks"
    nbs.mkdir()
    stand_in(nbs / "10_stand_in.ipynb")
    boom(nbs / "20_boom.ipynb")
    real = Path(report.project_root()) / "notebooks" / "00_corpus_overview.ipynb"
    if real.exists():
        shutil.copy(real, nbs)
    corpus = write_corpus(base / "tiny.jsonl")
    cfg = write_config(base / "c.yaml", [{"name": "tiny", "path": str(corpus)}], nbs,
                       base / "cache", base / "reports")  # fmt: skip
    result = report.run(cfg)
    assert result.failed == ["tiny/20_boom"]
    return result.out


def test_index_renders_without_errors(browser, bundle):
    browser.open((bundle / "index.html").as_uri())
    shot = Path(os.environ.get("CONFLICTLENS_SCREENSHOTS", bundle)) / "index.png"
    browser.screenshot(shot)
    assert browser.errors() == []
    images = browser.eval("[...document.images].map(i => [i.getAttribute('src'), i.naturalWidth])")
    assert images and all(w > 0 for _, w in images), images
    cards = browser.eval("[...document.querySelectorAll('article.card')].map(c => c.id)")
    assert set(cards) >= {"10_stand_in", "20_boom"}
    failed = browser.eval("document.querySelector('#\\\\32 0_boom .error').innerText")
    assert "ValueError" in failed and "raise ValueError('the boom happened <here>')" in failed
    # durations come from manifest.js, so index.html itself stays byte-identical
    durations = browser.eval(
        "[...document.querySelectorAll('[data-duration]')].map(e => e.textContent)"
    )
    assert durations and all(re.fullmatch(r"\d+\.\d s", d) for d in durations), durations
    # the hostile outlet name is text on the page, not markup
    assert "<svg onload=alert(1)>" in browser.eval("document.body.innerText")
    assert browser.eval("document.querySelectorAll('header svg, header script').length") == 0


def test_report_renders_with_images_and_escaped_titles(browser, bundle):
    browser.open((bundle / "10_stand_in.html").as_uri())
    assert browser.errors() == []
    images = browser.eval("[...document.images].map(i => i.naturalWidth)")
    assert images and all(w > 0 for w in images)
    text = browser.eval("document.body.innerText")
    assert "<script>alert('title')</script>" in text  # shown as text
    assert HOSTILE_TITLE not in text  # the loader unescaped the entities once, not twice
    assert browser.eval("document.querySelectorAll('main script').length") == 0
    assert (
        browser.eval("document.querySelector('nav.cl-nav a').getAttribute('href')") == "index.html"
    )


def test_failed_report_shows_its_error(browser, bundle):
    browser.open((bundle / "20_boom.html").as_uri())
    assert browser.errors() == []
    text = browser.eval("document.body.innerText")
    assert "ValueError" in text and "the boom happened <here>" in text
    assert "this report failed" in text
