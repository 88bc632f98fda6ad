"""What the browser tests share: where Chromium is, how it is launched, and the records the fixtures
hand to the tests. Nothing here imports Playwright, so the test module can skip cleanly without it."""

from __future__ import annotations

import http.server
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright's own browser download is never used
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})

# What keeps Chromium quiet and off the network: no sandbox (containers), no GPU, no QUIC, and none of
# the background services that phone home (component updates, sync, default apps, extensions).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
)

# Runs before any page script (injected over the DevTools protocol, so the page's CSP does not apply to
# it): every CSP violation is kept on the window and logged to the console.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  var entry = event.violatedDirective + " " + (event.blockedURI || "inline") + " " + (event.sample || "");
  window.__cspViolations.push(entry);
  console.warn("csp-violation: " + entry);
});
"""


def missing_browser_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does it when it may)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


@dataclass(frozen=True)
class Reader:
    """The reader under test: its address, its store, and a temporary folder for what tests write."""

    base_url: str
    db_path: Path
    tmp_dir: Path


@dataclass
class BrowserSession:
    context: Any  # playwright BrowserContext
    external_requests: list[str] = field(default_factory=list)


@dataclass
class WatchedPage:
    """A tab and what it saw: dialogs that opened and console lines (CSP reports among them)."""

    page: Any  # playwright Page
    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    @property
    def csp_console(self) -> list[str]:
        return [line for line in self.console if "csp-violation" in line or "Content Security Policy" in line]


def loopback_socket() -> socket.socket:
    """A listening-ready socket on a free port of 127.0.0.1 (bound now, so no other process can take it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, *, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


class QuietFileHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder without logging every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass
