"""Polite, guarded HTTP fetching: the one module in ``ingest`` that touches the network.

A ``Fetcher`` is built from ``FetchSettings`` and holds what must outlive one
request: the connection pool, robots.txt verdicts per host and the time of
the last request to each host.  Every hop of a redirect chain goes through
the same checks as the first URL:

* only http and https;
* the host is resolved once, every address is checked against the SSRF
  guard (loopback, private, link-local, multicast, reserved, CGNAT, ULA,
  IPv4-mapped, cloud metadata), and the connection goes to the checked
  address (the Host header and TLS SNI keep the name), so DNS cannot be
  re-pointed between the check and the connection;
* robots.txt for our User-Agent;
* at most one request per ``per_host_interval_s`` to the same host.

Bodies are streamed with the size cap enforced as bytes arrive, and the
whole request has a deadline, so a server that drips bytes cannot hold a
worker for ever.  Errors are ``FetchError`` (or ``BlockedAddressError``,
``TooLargeError``) with one line a user can act on.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.robotparser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urljoin

import httpx

from dateline.errors import BlockedAddressError, FetchError, TooLargeError
from dateline.settings import FetchSettings

Resolver = Callable[[str, int], list[str]]
"""``(host, port) -> IP address strings``; the default uses ``socket.getaddrinfo``."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks crawlers to parse at least 500 KiB
_ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"
)

_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack
        "169.254.170.2",  # AWS ECS task metadata
        "100.100.100.200",  # Alibaba Cloud
        "fd00:ec2::254",  # AWS over IPv6
    )
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def address_block_reason(address: IPAddress) -> str | None:
    """Why the SSRF guard refuses ``address``, or None for a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return "an IPv4-mapped IPv6 address"
        embedded: ipaddress.IPv4Address | None = address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            inner = address_block_reason(embedded)
            if inner is not None:
                return f"{inner} tunnelled in IPv6"
    if address in _METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return "a carrier-grade NAT (100.64.0.0/10) address"
    if address.is_private:
        return "a private address"
    if address.is_reserved:
        return "a reserved address"
    if not address.is_global:
        return "a non-public address"
    return None


def default_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in resolver order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    return addresses


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # as asked for
    final_url: str  # after redirects
    status: int
    content: bytes | None  # None on 304 Not Modified
    media_type: str | None  # the Content-Type header, parameters included
    etag: str | None
    last_modified: str | None
    fetched_at: datetime

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True, slots=True)
class _Target:
    """Where one request actually goes: the URL to dial, plus the name for Host and SNI."""

    request_url: httpx.URL
    headers: dict[str, str]
    extensions: dict[str, str]


@dataclass(frozen=True, slots=True)
class _Response:
    url: str
    status: int
    headers: httpx.Headers
    content: bytes | None


class _RobotsVerdict:
    """robots.txt for one origin: a parsed file, or allow-all / disallow-all with a reason."""

    def __init__(
        self, parser: urllib.robotparser.RobotFileParser | None, *, allow_all: bool, reason: str = ""
    ):
        self.parser = parser
        self.allow_all = allow_all
        self.reason = reason

    def allows(self, user_agent: str, url: str) -> bool:
        if self.parser is not None:
            return self.parser.can_fetch(user_agent, url)
        return self.allow_all


def _seconds(value: float) -> str:
    return f"{value:g} s"


class Fetcher:
    """Fetches URLs under ``FetchSettings``.  Not thread-safe: use one per worker.

    ``resolver``, ``clock``, ``sleep`` and ``transport`` are injectable for tests.
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        resolver: Resolver | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._settings = settings
        self._resolver = resolver or default_resolver
        self._clock = clock
        self._sleep = sleep
        self._robots: dict[str, _RobotsVerdict] = {}
        self._last_request_at: dict[str, float] = {}
        self._client = httpx.Client(
            timeout=httpx.Timeout(settings.timeout_s),
            follow_redirects=False,
            trust_env=False,  # a proxy from the environment would bypass the address checks
            headers={"User-Agent": settings.user_agent, "Accept": _ACCEPT},
            transport=transport,
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """GET ``url``, following redirects; conditional when ``etag``/``last_modified`` are given.

        A 304 comes back with ``content=None`` and the validators echoed when the
        server left them out.  Raises ``FetchError`` (HTTP errors, timeouts,
        robots.txt), ``BlockedAddressError`` and ``TooLargeError``.
        """
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        response = self._request(
            url,
            conditional,
            max_bytes=self._settings.max_bytes,
            check_robots=self._settings.respect_robots,
        )
        if response.status == 304:
            return FetchResult(
                url=url,
                final_url=response.url,
                status=304,
                content=None,
                media_type=response.headers.get("content-type"),
                etag=response.headers.get("etag") or etag,
                last_modified=response.headers.get("last-modified") or last_modified,
                fetched_at=datetime.now(UTC),
            )
        if not 200 <= response.status < 300:
            raise FetchError(f"HTTP {response.status} for {response.url}")
        return FetchResult(
            url=url,
            final_url=response.url,
            status=response.status,
            content=response.content,
            media_type=response.headers.get("content-type"),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            fetched_at=datetime.now(UTC),
        )

    # -- one request, redirects followed by hand ---------------------------------------------------

    def _request(
        self,
        url: str,
        extra_headers: dict[str, str],
        *,
        max_bytes: int,
        check_robots: bool,
        truncate: bool = False,
    ) -> _Response:
        current = url
        for _hop in range(self._settings.max_redirects + 1):
            parsed = self._parse_url(current)
            target = self._guard(parsed, current)
            if check_robots:
                self._check_robots(parsed, current)
            self._wait_turn(parsed.host)
            started = time.monotonic()  # each hop gets the whole timeout, waiting for our turn excluded
            with self._send(current, target, extra_headers) as response:
                location = response.headers.get("location")
                if response.status_code in REDIRECT_STATUSES and location:
                    next_url = urljoin(current, location.strip())
                    current = next_url
                    continue
                content = None
                if response.status_code != 304 and 200 <= response.status_code < 300:
                    content = self._read_body(response, current, max_bytes, started, truncate=truncate)
                return _Response(current, response.status_code, response.headers, content)
        raise FetchError(f"too many redirects (more than {self._settings.max_redirects}) fetching {url}")

    @staticmethod
    def _parse_url(url: str) -> httpx.URL:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise FetchError(f"not a valid URL: {url!r} ({exc})") from None
        if parsed.scheme not in {"http", "https"}:
            raise BlockedAddressError(f"refused to fetch {url}: only http and https URLs are fetched")
        if not parsed.host:
            raise FetchError(f"not a valid URL (no host): {url}")
        return parsed

    def _guard(self, parsed: httpx.URL, url: str) -> _Target:
        """Resolve and check the host; the request then goes to the checked address."""
        if self._settings.allow_private_addresses:
            return _Target(parsed, {}, {})
        host = parsed.host
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses: list[IPAddress] = [literal]
        else:
            try:
                resolved = self._resolver(host, port)
            except (OSError, UnicodeError) as exc:
                raise FetchError(f"could not resolve host {host} ({exc})") from None
            addresses = []
            for text in resolved:
                try:
                    addresses.append(ipaddress.ip_address(text.split("%", 1)[0]))
                except ValueError:
                    raise FetchError(f"resolver returned a non-address {text!r} for {host}") from None
            if not addresses:
                raise FetchError(f"could not resolve host {host} (no addresses)")
        for address in addresses:
            reason = address_block_reason(address)
            if reason is not None:
                raise BlockedAddressError(f"refused to fetch {url}: {host} is {address}, {reason}")
        if literal is not None:
            return _Target(parsed, {}, {})
        chosen = addresses[0]
        headers = {"Host": parsed.netloc.decode("ascii")}
        extensions = {"sni_hostname": parsed.raw_host.decode("ascii")} if parsed.scheme == "https" else {}
        return _Target(parsed.copy_with(host=str(chosen)), headers, extensions)

    def _wait_turn(self, host: str) -> None:
        """Sleep until this host's interval has passed since our last request to it."""
        key = host.lower()
        last = self._last_request_at.get(key)
        if last is not None:
            wait = self._settings.per_host_interval_s - (self._clock() - last)
            if wait > 0:
                self._sleep(wait)
        self._last_request_at[key] = self._clock()

    @contextmanager
    def _send(self, url: str, target: _Target, extra_headers: dict[str, str]) -> Iterator[httpx.Response]:
        timeout = _seconds(self._settings.timeout_s)
        headers = {**extra_headers, **target.headers}
        try:
            request = self._client.build_request(
                "GET", target.request_url, headers=headers, extensions=target.extensions
            )
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {timeout} fetching {url}") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"could not fetch {url}: {_one_line(exc)}") from None
        try:
            yield response
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {timeout} fetching {url}") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"could not fetch {url}: {_one_line(exc)}") from None
        finally:
            response.close()

    def _read_body(
        self, response: httpx.Response, url: str, max_bytes: int, started: float, *, truncate: bool
    ) -> bytes:
        declared = response.headers.get("content-length")
        if not truncate and declared and declared.strip().isdigit() and int(declared) > max_bytes:
            raise TooLargeError(f"{url} is {int(declared):,} bytes, over the {max_bytes:,}-byte limit")
        body = bytearray()
        # No chunk size: httpx would buffer up to it, and the deadline is checked per chunk.
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > max_bytes:
                if truncate:
                    return bytes(body[:max_bytes])
                raise TooLargeError(f"{url} is over the {max_bytes:,}-byte limit")
            if time.monotonic() - started > self._settings.timeout_s:
                raise FetchError(f"timed out after {_seconds(self._settings.timeout_s)} fetching {url}")
        return bytes(body)

    # -- robots.txt ------------------------------------------------------------------------------

    def _check_robots(self, parsed: httpx.URL, url: str) -> None:
        origin = f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"
        verdict = self._robots.get(origin)
        if verdict is None:
            verdict = self._load_robots(origin)
            self._robots[origin] = verdict
        if not verdict.allows(self._settings.user_agent, url):
            detail = f" ({verdict.reason})" if verdict.reason else ""
            raise FetchError(f"refused by robots.txt: {url}{detail}")

    def _load_robots(self, origin: str) -> _RobotsVerdict:
        robots_url = f"{origin}/robots.txt"
        try:
            response = self._request(
                robots_url, {}, max_bytes=ROBOTS_MAX_BYTES, check_robots=False, truncate=True
            )
        except BlockedAddressError as exc:
            # robots.txt redirected somewhere we will not go: treat as a complete disallow.
            return _RobotsVerdict(None, allow_all=False, reason=f"robots.txt unreachable: {exc}")
        # Any other FetchError (refused connection, timeout) propagates uncached: the host is down,
        # and saying so is clearer than blaming robots.txt.  RFC 9309 would also disallow here.
        if 400 <= response.status < 500:
            return _RobotsVerdict(None, allow_all=True)  # no robots.txt: everything allowed
        if response.status >= 500 or response.content is None:
            return _RobotsVerdict(None, allow_all=False, reason=f"robots.txt answered HTTP {response.status}")
        parser = urllib.robotparser.RobotFileParser(robots_url)
        parser.parse(response.content.decode("utf-8", errors="replace").splitlines())
        return _RobotsVerdict(parser, allow_all=True)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__
