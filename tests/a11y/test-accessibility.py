#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The real Confab window as a screen reader sees it, over AT-SPI.

Starts a local provider (the recorded weather tool-call stream, served from 127.0.0.1), the
test MCP server and Confab under the session's accessibility bus, then walks the
accessibility tree the way Orca does:

- every button, toggle, check box, entry, text field, menu item and list row has a name, and
  a name that is not a widget type (GTK 4.8 names an unlabelled button after its child, e.g.
  "GtkImage": that counts as unnamed);
- the composer, the Send button, the usage sidebar, the tool card's Allow and Deny buttons
  are in the tree, named;
- typing into the composer and pressing Send through AT-SPI runs a turn; the tool card
  waits for consent; allowing it through AT-SPI finishes the turn; the finished reply
  changes what the tree reports (the row's description) so a screen reader can read it;
- keyboard focus: the composer has the focus when the chat opens, and a tool call that waits
  for consent takes it, on its Allow Once button.

TAP output. Skips (exit 77 under meson) only when pyatspi or the accessibility bus is missing.
"""
import http.server
import json
import os
import re
import shutil
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

TIMEOUT = 30.0
TYPE_NAME = re.compile(r"^(Gtk|Adw|Gsk|Confab)[A-Z][A-Za-z]*$")
DOUBLED = re.compile(r"^(.+) \1$")
MNEMONIC = re.compile(r"(^|\s)_\w|\w_\w")
INTERACTIVE = {
    "push button", "toggle button", "check box", "radio button", "entry", "text",
    "password text", "menu item", "check menu item", "radio menu item", "list item",
    "combo box", "spin button", "switch", "link",
}

results = []
PROCESS = None


def tap(ok, name, detail=""):
    results.append(ok)
    print(("ok" if ok else "not ok") + f" {len(results)} - {name}")
    if not ok and detail:
        for line in str(detail).splitlines():
            print("# " + line)
    sys.stdout.flush()


def wait_for(predicate, what, timeout=TIMEOUT):
    """Polls the accessibility tree (another process's state: nothing to wait on here)
    until predicate() returns something true; fails with what after timeout."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


class Provider(http.server.BaseHTTPRequestHandler):
    bodies = []
    requests = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        payload = json.dumps({"object": "list", "data": [{"id": "test-model", "object": "model"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        Provider.requests.append(json.loads(self.rfile.read(length)))
        index = min(len(Provider.requests) - 1, len(Provider.bodies) - 1)
        body = Provider.bodies[index].encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def walk(node, depth=0):
    yield node, depth
    try:
        count = node.childCount
    except Exception:
        return
    for i in range(count):
        try:
            child = node.getChildAtIndex(i)
        except Exception:
            continue
        if child is not None:
            yield from walk(child, depth + 1)


def nodes(app):
    out = []
    for node, _ in walk(app):
        try:
            out.append((node, node.getRoleName(), node.name or "", node.description or ""))
        except Exception:
            pass
    return out


def find(app, role, name_pattern):
    pattern = re.compile(name_pattern)
    for node, node_role, name, _ in nodes(app):
        if node_role == role and pattern.search(name):
            return node
    return None


def do_action(node, wanted=("click", "activate", "press")):
    action = node.queryAction()
    names = [action.getName(i) for i in range(action.nActions)]
    for i, name in enumerate(names):
        if name in wanted:
            action.doAction(i)
            return
    raise AssertionError(f"no click action on {node.name!r}: {names}")


def main():
    try:
        import pyatspi  # noqa: F401
    except ImportError:
        print("1..0 # SKIP python3-pyatspi is not installed")
        return 0

    import pyatspi

    global PROCESS
    app_path = os.environ["CONFAB_APP"]
    mcp_server = os.environ["CONFAB_TEST_MCP_SERVER"]
    cassettes = os.environ["CONFAB_CASSETTES_DIR"]
    with open(os.path.join(cassettes, "tool_streaming_groq-kimi-k2.json")) as f:
        Provider.bodies = [i["response"]["body"] for i in json.load(f)["interactions"]]

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Provider)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"

    home = tempfile.mkdtemp(prefix="confab-a11y-")
    env = dict(os.environ)
    for var in ("NO_AT_BRIDGE", "GTK_A11Y"):
        env.pop(var, None)
    # Software GL repaints the whole window for each frame of a spinner, starving the
    # accessibility requests on this two-core machine; cairo repaints what changed.
    env.update(GSK_RENDERER="cairo", HOME=home, XDG_CONFIG_HOME=f"{home}/config", XDG_DATA_HOME=f"{home}/data",
               XDG_CACHE_HOME=f"{home}/cache", XDG_STATE_HOME=f"{home}/state")

    # The accessibility bus first (Orca's session has it before any app starts).
    try:
        desktop = pyatspi.Registry.getDesktop(0)
        _ = desktop.childCount
    except Exception as error:
        print(f"1..0 # SKIP no accessibility bus: {error}")
        return 0

    process = PROCESS = subprocess.Popen([app_path, "--base-url", base_url, "--model", "test-model",
                                "--mcp", f"{mcp_server} --tools weather"], env=env)
    try:
        def confab_app():
            desktop = pyatspi.Registry.getDesktop(0)
            for i in range(desktop.childCount):
                child = desktop.getChildAtIndex(i)
                if child is not None and child.name == "confab":
                    frame = child.getChildAtIndex(0) if child.childCount else None
                    if frame is not None and find(child, "text", r"^Message$"):
                        return child
            return None

        app = wait_for(confab_app, "Confab's window in the accessibility tree")
        run_checks(pyatspi, app)
    except AssertionError as error:
        tap(False, "walk the window", error)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        server.shutdown()
        shutil.rmtree(home, ignore_errors=True)

    print(f"1..{len(results)}")
    return 0 if all(results) else 1


def unnamed(app):
    bad = []
    for node, role, name, description in nodes(app):
        if role not in INTERACTIVE:
            continue
        if not name.strip() or TYPE_NAME.match(name.strip()):
            bad.append(f"[{role}] unnamed: name={name!r} description={description!r}")
        elif DOUBLED.match(name.strip()):
            # GTK 4.8 reads a button's label and its child label together ("Deny Deny").
            bad.append(f"[{role}] name read twice: {name!r}")
        elif MNEMONIC.search(name):
            # GTK 4.8 reads a mnemonic label's underscore and its text twice ("_Deny Deny").
            bad.append(f"[{role}] mnemonic in the name: {name!r}")
    return bad


def run_checks(pyatspi, app):
    bad = unnamed(app)
    tap(not bad, "every control of the chat window has a name", "\n".join(bad))

    composer = find(app, "text", r"^Message$")
    send = find(app, "push button", r"^Send message$")
    usage = find(app, "panel", r"^Token usage$")
    tap(composer is not None, "the composer is in the tree, named")
    tap(send is not None, "the Send button is in the tree, named")
    tap(usage is not None, "the usage sidebar is in the tree, named")

    # Focus states are only reported for the active window: without a window manager (Xvfb)
    # nothing activates it, so the test gives it the input focus as a window manager would.
    if shutil.which("xdotool"):
        subprocess.run(["xdotool", "search", "--sync", "--pid", str(PROCESS.pid), "windowfocus", "--sync"],
                       timeout=20, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        focused = wait_for(lambda: composer.getState().contains(pyatspi.STATE_FOCUSED),
                           "the composer to have the keyboard focus", 10) if composer else False
    except AssertionError:
        focused = False
    if not focused:
        print("# focused: " + repr([(r, n) for node, r, n, d in nodes(app) if node.getState().contains(pyatspi.STATE_FOCUSED)]))
    tap(bool(focused), "the composer has the keyboard focus when the chat opens")

    # Ask through AT-SPI, as a screen-reader user with a braille display would.
    composer.queryEditableText().setTextContents("What's the weather in Paris?")
    wait_for(lambda: send.getState().contains(pyatspi.STATE_SENSITIVE), "Send to be enabled", 10)
    do_action(send)

    # The card is in the message list: look there (each node read is a round trip to the app).
    messages = find(app, "list", r"^Messages$")
    allow = wait_for(lambda: find(messages, "push button", r"^Allow Once$"), "the tool card's Allow Once button")
    deny = find(messages, "push button", r"^Deny$")
    tap(allow is not None and deny is not None, "the waiting tool card's Allow and Deny buttons are named")

    # Keyboard focus order: a waiting call takes the focus, on its consent button, so a
    # keyboard or screen-reader user is not fifty Tab stops away from it.
    focused = wait_for(lambda: allow.getState().contains(pyatspi.STATE_FOCUSED),
                       "Allow Once to have the keyboard focus", 10)
    tap(bool(focused), "the waiting call's Allow Once button has the keyboard focus")
    bad = unnamed(app)
    tap(not bad, "every control is named while a tool call waits", "\n".join(bad))

    descriptions_before = {d for _, _, _, d in nodes(app) if d}
    do_action(allow)

    # Only the message list changes: walking it alone keeps each poll short.
    def reply_described():
        for _, role, _, description in nodes(messages):
            if description.startswith("Answer complete:") and description not in descriptions_before:
                return description
        return None

    described = wait_for(reply_described, "the finished reply to change the tree")
    tap("Paris" in described or len(described) > len("Answer complete: "),
        "a finished reply changes what the tree reports, with the answer's text", described)

    bad = unnamed(app)
    tap(not bad, "every control is named after the turn", "\n".join(bad))

    numbers = [name for _, role, name, _ in nodes(app) if role == "label" and re.search(r"\d", name)]
    tap(bool(numbers), "the usage sidebar reports numbers after the turn", numbers[:5])


if __name__ == "__main__":
    sys.exit(main())
