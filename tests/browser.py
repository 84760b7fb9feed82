"""Headless Chromium driven over the DevTools protocol, on a pipe (no package needed): open a
page, click an element as a mouse does, and read what the page's scripts did.

``--dump-dom`` (tests/test_handoff.py) shows a page after its scripts ran, but cannot click;
a link's danger is in the click. The protocol's own evaluations are the test's eyes: they are
not the page's script, and the page's Content-Security-Policy does not apply to them.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from typing import Any

from .conftest import need


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    need(exe, "chromium (apt-get install chromium)")
    return str(exe)


class Browser:
    """One headless Chromium with one tab; ``with Browser() as b: b.open(url)``."""

    def __init__(self) -> None:
        self.profile = tempfile.mkdtemp(prefix="tei-toolkit-chromium-")
        to_chrome_r, self._w = os.pipe()
        self._r, from_chrome_w = os.pipe()

        def pipes_on_3_and_4() -> None:  # --remote-debugging-pipe reads fd 3, writes fd 4
            # Copies above 9 first: the pipes themselves may be on 3 or 4.
            a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)  # inheritable, as dup2 makes them
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--remote-debugging-pipe", f"--user-data-dir={self.profile}",
             "--window-size=1000,1200", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=pipes_on_3_and_4)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        self.send("Page.enable", session=True)
        self.send("Runtime.enable", session=True)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (OSError, EOFError, RuntimeError):
            pass
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # our own child, by its handle
            self.proc.wait(20)
        os.close(self._w)
        os.close(self._r)
        shutil.rmtree(self.profile, ignore_errors=True)

    # -- the protocol -------------------------------------------------------------------------

    def send(self, method: str, params: dict | None = None, session: bool = False) -> dict:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        while True:
            answer = self._receive(timeout=60)
            if answer.get("id") == self._id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def _receive(self, timeout: float) -> dict:
        end = time.monotonic() + timeout
        while b"\0" not in self._buf:
            if time.monotonic() > end:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._r, 1 << 16)
            if not chunk:
                raise EOFError("Chromium closed the pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    # -- what a test does ---------------------------------------------------------------------

    def open(self, url: str) -> None:
        """Load ``url`` and wait for its load event (its scripts have run)."""
        self.events.clear()
        self.send("Page.navigate", {"url": url}, session=True)
        end = time.monotonic() + 60
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > end:
                raise TimeoutError(f"{url} did not load")
            self.events.append(self._receive(timeout=60))

    def js(self, expression: str) -> Any:
        """The value of ``expression`` in the page (evaluated by the protocol, not the page)."""
        result = self.send("Runtime.evaluate", {"expression": expression,
                                                "returnByValue": True}, session=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str, index: int = 0) -> None:
        """A left mouse click at the middle of the ``index``-th element ``selector`` matches,
        as a reader's click: pressed and released there, after scrolling it into view."""
        box = self.js(f"""(function(){{
            var e = document.querySelectorAll({json.dumps(selector)})[{index}];
            e.scrollIntoView({{block: 'center'}});
            var r = e.getClientRects()[0];
            return r ? [r.left + r.width / 2, r.top + r.height / 2] : null;}})()""")
        assert box is not None, f"{selector} [{index}] is not displayed"
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1],
                                                   "button": "left", "clickCount": 1},
                      session=True)

    def settle(self, seconds: float = 1.0) -> None:
        """Give what a click started (a navigation, a script) time to happen; the page is
        asked something afterwards, so queued work has run."""
        time.sleep(seconds)
        self.js("1")
