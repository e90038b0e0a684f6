#!/usr/bin/env python3
"""test_ui.sh's browser part: kovn-controller's /ui page in a real headless
Chromium.

usage: ui_browser.py URL TOKEN DELETE_VPC_COMMAND SCREENSHOT.png

Loads the page with TOKEN as its cookie, waits for subnet shop-web to be
drawn without a problem, runs DELETE_VPC_COMMAND (a shell command that
returns once Vpc shop is gone), then measures how long the page takes to
draw shop-web red (at most 2 s), clicks it and waits for its details to
say VpcNotFound, and saves a screenshot.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import browser  # noqa: E402

RED = "#d62728"  # crd/topology_dot.c's COLOR_PROBLEM
ORPHAN = "subnet/shop-web"
RED_WITHIN_S = 2.0


def node(id_):
    return "document.getElementById(%r)" % id_


def is_red(id_):
    return "!!(%s && %s.querySelector('[stroke=\"%s\"]'))" % (node(id_), node(id_), RED)


def page_errors(b):
    return [e["params"]["exceptionDetails"] for e in b.events
            if e.get("method") == "Runtime.exceptionThrown"]


def main():
    url, token, delete_vpc, screenshot = sys.argv[1:5]
    with browser.Browser(width=1400, height=860) as b:
        b.set_cookie(url, "kovn_ui_token", token)
        start = time.monotonic()
        b.navigate(url)
        try:
            b.wait_for("!!" + node(ORPHAN), timeout=10)
        except browser.BrowserError:
            sys.exit("FAIL: page not drawn in 10 s; it says %r; script errors: %s"
                     % (b.evaluate("document.body.innerText")[:500], page_errors(b)))
        print("page drawn %.2f s after navigation" % (time.monotonic() - start))
        if b.evaluate(is_red(ORPHAN)):
            sys.exit("FAIL: %s is red before its Vpc is gone" % ORPHAN)
        for id_ in ("vpc/shop", "vpc/ovn-cluster", "subnet/data", "ns/web",
                    "ns/batch"):
            if not b.evaluate("!!" + node(id_)):
                sys.exit("FAIL: the page does not show %s" % id_)

        subprocess.run(["bash", "-c", delete_vpc], check=True)
        gone = time.monotonic()
        try:
            b.wait_for(is_red(ORPHAN), timeout=10, interval=0.02)
        except browser.BrowserError:
            sys.exit("FAIL: %s not red 10 s after its Vpc went; the page says %r"
                     % (ORPHAN, b.evaluate("document.getElementById('status').textContent")))
        red_after = time.monotonic() - gone
        print("orphan red %.2f s after its Vpc was gone" % red_after)
        if red_after > RED_WITHIN_S:
            sys.exit("FAIL: red after %.2f s, want <= %.1f s" % (red_after, RED_WITHIN_S))
        # The missing Vpc is drawn as a dashed placeholder.
        b.wait_for("!!" + node("vpc/shop"), timeout=5)

        b.click_element(node(ORPHAN))
        b.wait_for("document.getElementById('details').textContent"
                   ".includes('VpcNotFound')", timeout=10)
        details = b.evaluate("document.getElementById('details').innerText")
        if "Subnet shop-web" not in details:
            sys.exit("FAIL: details are not shop-web's: " + details[:500])
        problems = b.evaluate("document.getElementById('problems').innerText")
        if "VpcNotFound" not in problems:
            sys.exit("FAIL: VpcNotFound is not among the problems: " + problems)
        # The Warning Event the controller records for an orphan, listed
        # from the API server; it may take a moment to be written.
        deadline = time.monotonic() + 10
        while "Warning" not in details:
            if time.monotonic() > deadline:
                sys.exit("FAIL: no Warning Event in the details: " + details[:800])
            time.sleep(0.5)
            b.click_element(node(ORPHAN))
            time.sleep(0.3)
            details = b.evaluate("document.getElementById('details').innerText")
        print("click on %s shows VpcNotFound and its Warning Event" % ORPHAN)

        errors = page_errors(b)
        if errors:
            sys.exit("FAIL: script errors on the page: %s" % errors[:3])
        b.screenshot(screenshot)
        print("screenshot: %s (%d bytes)" % (screenshot, os.path.getsize(screenshot)))


if __name__ == "__main__":
    main()
