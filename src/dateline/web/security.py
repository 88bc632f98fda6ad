"""What keeps untrusted article text and other sites away from the reader.

- Every response carries a Content-Security-Policy without inline script or style, so even markup
  that slipped past escaping could not run; plus nosniff, no framing, no referrer to other sites.
- Bound to loopback, only loopback Host headers are served (a DNS-rebinding page cannot reach us).
- Bound elsewhere, every request needs the API token: ``Authorization: Bearer T``, or the cookie a
  browser gets by opening any page once with ``?token=T``.
- State-changing forms carry a CSRF token that must equal the reader's cookie (double submit), and a
  cross-site Origin is refused outright (Referrer-Policy same-origin: with no-referrer, Chromium
  sends `Origin: null` on the reader's own posts).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

CSRF_COOKIE = "dateline_csrf"
CSRF_FIELD = "csrf"
TOKEN_COOKIE = "dateline_token"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
    " font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),  # outlets get no referrer; our own forms keep their Origin
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


def same_token(given: str | None, expected: str | None) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(str(given), str(expected))


@dataclass(frozen=True)
class AccessPolicy:
    """Who may talk to the server: loopback-only Host names, or anyone holding TOKEN."""

    token: str | None  # None: no token (loopback binding)
    loopback_only: bool


class SecurityMiddleware:
    """Pure ASGI middleware: host and token checks before the app, security headers on every response."""

    def __init__(self, app: ASGIApp, policy: AccessPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if self.policy.loopback_only and not is_loopback(_host_name(headers.get("host", ""))):
            await _plain(send, 421, "This reader answers only on localhost (Host header refused).")
            return
        if self.policy.token is not None:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            cookies = _cookies(headers.get("cookie", ""))
            bearer = headers.get("authorization", "")
            bearer = bearer[7:] if bearer.lower().startswith("bearer ") else None
            if same_token(query.get("token"), self.policy.token) and scope["method"] == "GET":
                # Trade the token in the link for a cookie, and drop it from the address bar.
                rest = urlencode(
                    [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode()) if k != "token"]
                )
                # The raw (still percent-encoded) path, with one leading slash: "//host/x" would leave the site.
                raw_path = scope.get("raw_path") or scope.get("path", "/").encode("utf-8")
                location = "/" + raw_path.decode("latin-1").lstrip("/") + (f"?{rest}" if rest else "")
                cookie = f"{TOKEN_COOKIE}={self.policy.token}; Path=/; HttpOnly; SameSite=Strict"
                await _redirect(send, location, cookie)
                return
            if not (
                same_token(bearer, self.policy.token)
                or same_token(cookies.get(TOKEN_COOKIE), self.policy.token)
            ):
                await _plain(
                    send,
                    401,
                    "An API token is required: open the link the server printed, or send"
                    " 'Authorization: Bearer TOKEN'.",
                )
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = list(message.get("headers", []))
                names = {k.lower() for k, _ in existing}
                existing.extend(h for h in SECURITY_HEADERS if h[0] not in names)
                message["headers"] = existing
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _host_name(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _cookies(header: str) -> dict[str, str]:
    jar = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            jar[name] = value
    return jar


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, location: str, cookie: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [
                (b"location", location.encode("latin-1", "replace")),
                (b"set-cookie", cookie.encode()),
                (b"content-length", b"0"),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})


def csrf_ok(
    *, form_token: str | None, cookie_token: str | None, origin: str | None, host: str | None
) -> bool:
    """A state-changing request is the reader's own: its form token equals its cookie, and its Origin
    (when the browser sends one) is this server."""
    if origin and host and origin.split("://", 1)[-1].rstrip("/").lower() != host.lower():
        return False  # a cross-site page posting here (an Origin of "null" counts as one)
    return same_token(form_token, cookie_token)
