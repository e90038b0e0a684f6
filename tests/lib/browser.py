"""A real headless Chromium driven over the DevTools protocol, for tests of
kovn's web page.

Chromium speaks the protocol on a pipe (--remote-debugging-pipe: it reads
commands from fd 3 and writes answers and events to fd 4, each message JSON
ending in a NUL byte), so no port, no websocket library and nothing from
outside Debian's chromium package is needed.
"""
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time


class BrowserError(Exception):
    pass


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _high_fd(fd):
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Browser:
    """One page of a headless Chromium.  Use as a context manager."""

    def __init__(self, width=1400, height=900, timeout=30.0):
        binary = find_chromium()
        if not binary:
            raise BrowserError("no chromium binary on PATH")
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="kovn-chromium-")
        # The child's ends go above 4 first, so that putting them on 3 and 4
        # (where Chromium expects them) never overwrites one with the other.
        to_browser_r, self.to_browser = [_high_fd(fd) for fd in os.pipe()]
        self.from_browser, from_browser_w = [_high_fd(fd) for fd in os.pipe()]

        def child_fds():
            os.dup2(to_browser_r, 3)  # inheritable, unlike the originals
            os.dup2(from_browser_w, 4)

        args = [binary, "--headless=new", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--remote-debugging-pipe", "--user-data-dir=" + self.profile,
                "--window-size=%d,%d" % (width, height), "about:blank"]
        self.log = open(os.path.join(self.profile, "chromium.log"), "wb")
        # close_fds would close 3 and 4 after child_fds() made them.
        self.proc = subprocess.Popen(args, close_fds=False, preexec_fn=child_fds,
                                     stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None
        try:
            self._attach(width, height)
        except BaseException:
            self.close()
            raise

    def _attach(self, width, height):
        targets = self.call("Target.getTargets")["targetInfos"]
        pages = [t for t in targets if t["type"] == "page"]
        if not pages:
            target = self.call("Target.createTarget", url="about:blank")["targetId"]
        else:
            target = pages[0]["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target,
                                 flatten=True)["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width,
                  height=height, deviceScaleFactor=1, mobile=False)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.proc.poll() is None:
            try:
                self._send({"id": 0, "method": "Browser.close"})
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        for fd in (self.to_browser, self.from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def _log_tail(self, n=5):
        """Chromium's last complaints, without the D-Bus noise of a
        machine with no session bus."""
        self.log.flush()
        with open(self.log.name, errors="replace") as f:
            lines = [l.strip() for l in f if "dbus" not in l.lower() and l.strip()]
        return " | ".join(lines[-n:]) or "(no output)"

    def _send(self, message):
        data = json.dumps(message).encode() + b"\0"
        while data:
            n = os.write(self.to_browser, data)
            data = data[n:]

    def _receive(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("chromium did not answer in time")
            ready, _, _ = select.select([self.from_browser], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.from_browser, 1 << 16)
            if not chunk:
                raise BrowserError("chromium closed its pipe (exit %s): %s"
                                   % (self.proc.wait(), self._log_tail()))
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, **params):
        """Sends one command and returns its result; events that arrive
        meanwhile are kept in self.events."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if self.session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        self._send(message)
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise BrowserError("%s: %s" % (method, answer["error"]))
                return answer.get("result", {})
            if "method" in answer:
                self.events.append(answer)

    def evaluate(self, expression):
        """The value of a JavaScript expression (awaited if a promise)."""
        result = self.call("Runtime.evaluate", expression=expression,
                           returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError("script failed: %s" %
                               json.dumps(result["exceptionDetails"])[:500])
        return result["result"].get("value")

    def navigate(self, url):
        self.call("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete'")

    def wait_for(self, expression, timeout=None, interval=0.05):
        """Polls until 'expression' is truthy; returns its value."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError("timed out waiting for: " + expression)
            time.sleep(interval)

    def click_element(self, selector_expression):
        """Clicks the middle of the element 'selector_expression' evaluates
        to, with real mouse events, as a user would."""
        box = self.evaluate("(() => { const r = (%s).getBoundingClientRect();"
                            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
                            % selector_expression)
        x, y = box
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y,
                      button="left", clickCount=1)

    def set_cookie(self, url, name, value):
        self.call("Network.setCookie", url=url, name=name, value=value)

    def screenshot(self, path):
        import base64
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
