"""Fetcher: a real HTTP server on 127.0.0.1 for the protocol, a mock transport for the SSRF guard.

Nothing here touches the internet: the local server is reached with
``allow_private_addresses=True``; tests of the default (guarded) settings use
literal private addresses, a fake resolver and ``httpx.MockTransport``.
"""

from __future__ import annotations

import gzip
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from dateline.errors import BlockedAddressError, FetchError, TooLargeError
from dateline.ingest.fetch import Fetcher, address_block_reason
from dateline.settings import FetchSettings

PAGE = b"<html><head><title>Local</title></head><body><p>Hello from the test server.</p></body></html>"
ROBOTS = b"User-agent: Dateline\nDisallow: /private\n\nUser-agent: *\nDisallow: /\n"
LAST_MODIFIED = "Sun, 30 Nov 2025 12:00:00 GMT"


@dataclass
class ServerLog:
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


class _Handler(BaseHTTPRequestHandler):
    log: ServerLog

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        return None

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if "Content-Length" not in (headers or {}) and not (headers or {}).get("X-No-Length"):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.log.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = self.path.split("?", 1)[0]
        if route == "/robots.txt":
            self._send(200, ROBOTS, {"Content-Type": "text/plain"})
        elif route in {"/page", "/private"}:
            if (
                self.headers.get("If-None-Match") == '"v1"'
                or self.headers.get("If-Modified-Since") == LAST_MODIFIED
            ):
                self._send(304, b"", {"ETag": '"v1"'})
                return
            self._send(
                200,
                PAGE,
                {"Content-Type": "text/html; charset=utf-8", "ETag": '"v1"', "Last-Modified": LAST_MODIFIED},
            )
        elif route == "/redirect":
            self._send(302, b"", {"Location": "/page"})
        elif route == "/redirect-chain":
            self._send(301, b"", {"Location": "/redirect"})
        elif route == "/loop":
            self._send(302, b"", {"Location": "/loop"})
        elif route == "/to-file":
            self._send(302, b"", {"Location": "file:///etc/passwd"})
        elif route == "/to-private":
            self._send(302, b"", {"Location": "/private"})
        elif route == "/missing":
            self._send(404, b"not here", {"Content-Type": "text/plain"})
        elif route == "/error":
            self._send(503, b"busy", {"Content-Type": "text/plain"})
        elif route == "/big":
            self._send(200, b"x" * 20_000, {"Content-Type": "text/html"})
        elif route == "/big-stream":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(20):
                self.wfile.write(b"y" * 1000)
        elif route == "/gzip":
            self._send(200, gzip.compress(PAGE), {"Content-Type": "text/html", "Content-Encoding": "gzip"})
        elif route == "/slow":
            time.sleep(2)
            self._send(200, PAGE, {"Content-Type": "text/html"})
        elif route == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "60")
            self.end_headers()
            try:
                for _ in range(60):
                    self.wfile.write(b"z")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass
        else:
            self._send(404, b"no route")


@dataclass
class LocalServer:
    base: str
    log: ServerLog
    port: int


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        return None  # clients that time out on purpose break the pipe; that is the point


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    log = ServerLog()
    handler = type("Handler", (_Handler,), {"log": log})
    httpd = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    port = httpd.server_address[1]
    try:
        yield LocalServer(base=f"http://127.0.0.1:{port}", log=log, port=int(port))
    finally:
        httpd.shutdown()
        httpd.server_close()


def local_settings(**changes: object) -> FetchSettings:
    values: dict[str, object] = {
        "allow_private_addresses": True,
        "per_host_interval_s": 0.0,
        "timeout_s": 5.0,
    }
    values.update(changes)
    return FetchSettings(**values)  # type: ignore[arg-type]


# -- the HTTP protocol against a real local server -----------------------------------------------


def test_fetch_a_page(server: LocalServer) -> None:
    with Fetcher(local_settings()) as fetcher:
        result = fetcher.fetch(f"{server.base}/page")
    assert result.status == 200
    assert result.content == PAGE
    assert result.url == result.final_url == f"{server.base}/page"
    assert result.media_type == "text/html; charset=utf-8"
    assert result.etag == '"v1"'
    assert result.last_modified == LAST_MODIFIED
    assert isinstance(result.fetched_at, datetime) and result.fetched_at.tzinfo is not None
    _, headers = server.log.requests[-1]
    assert headers["user-agent"] == FetchSettings().user_agent


def test_conditional_get_returns_304_without_content(server: LocalServer) -> None:
    with Fetcher(local_settings()) as fetcher:
        by_etag = fetcher.fetch(f"{server.base}/page", etag='"v1"')
        by_date = fetcher.fetch(f"{server.base}/page", last_modified=LAST_MODIFIED)
    assert by_etag.status == 304 and by_etag.not_modified
    assert by_etag.content is None
    assert by_etag.etag == '"v1"'
    assert by_date.status == 304
    assert by_date.last_modified == LAST_MODIFIED  # echoed: the 304 did not repeat it


def test_redirects_are_followed(server: LocalServer) -> None:
    with Fetcher(local_settings()) as fetcher:
        result = fetcher.fetch(f"{server.base}/redirect-chain")
    assert result.url == f"{server.base}/redirect-chain"
    assert result.final_url == f"{server.base}/page"
    assert result.content == PAGE


def test_redirect_loop_is_cut_off(server: LocalServer) -> None:
    with Fetcher(local_settings(max_redirects=3)) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(f"{server.base}/loop")
    assert str(info.value) == f"too many redirects (more than 3) fetching {server.base}/loop"


def test_redirect_to_another_scheme_is_blocked(server: LocalServer) -> None:
    with (
        Fetcher(local_settings()) as fetcher,
        pytest.raises(BlockedAddressError, match="only http and https"),
    ):
        fetcher.fetch(f"{server.base}/to-file")


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/error", 503)])
def test_http_errors_are_one_line(server: LocalServer, path: str, status: int) -> None:
    with Fetcher(local_settings()) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(f"{server.base}{path}")
    assert str(info.value) == f"HTTP {status} for {server.base}{path}"


@pytest.mark.parametrize("path", ["/big", "/big-stream"])
def test_oversized_bodies_are_refused(server: LocalServer, path: str) -> None:
    with (
        Fetcher(local_settings(max_bytes=5000)) as fetcher,
        pytest.raises(TooLargeError, match="5,000-byte limit"),
    ):
        fetcher.fetch(f"{server.base}{path}")


def test_gzip_bodies_are_decoded(server: LocalServer) -> None:
    with Fetcher(local_settings()) as fetcher:
        assert fetcher.fetch(f"{server.base}/gzip").content == PAGE


@pytest.mark.parametrize("path", ["/slow", "/drip"])
def test_slow_servers_time_out(server: LocalServer, path: str) -> None:
    started = time.monotonic()
    with Fetcher(local_settings(timeout_s=0.5)) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(f"{server.base}{path}")
    assert str(info.value) == f"timed out after 0.5 s fetching {server.base}{path}"
    assert time.monotonic() - started < 1.8


def test_robots_txt_is_respected_and_fetched_once(server: LocalServer) -> None:
    before = server.log.paths().count("/robots.txt")
    with Fetcher(local_settings()) as fetcher:
        fetcher.fetch(f"{server.base}/page")
        with pytest.raises(FetchError) as info:
            fetcher.fetch(f"{server.base}/private")
        fetcher.fetch(f"{server.base}/page")
    assert str(info.value) == f"refused by robots.txt: {server.base}/private"
    assert server.log.paths().count("/robots.txt") - before == 1


def test_robots_txt_is_checked_on_every_redirect_hop(server: LocalServer) -> None:
    with Fetcher(local_settings()) as fetcher, pytest.raises(FetchError, match=r"refused by robots\.txt"):
        fetcher.fetch(f"{server.base}/to-private")


def test_robots_can_be_switched_off(server: LocalServer) -> None:
    with Fetcher(local_settings(respect_robots=False)) as fetcher:
        assert fetcher.fetch(f"{server.base}/private").status == 200


def test_connection_refused_is_a_fetch_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        Fetcher(local_settings()) as fetcher,
        pytest.raises(FetchError, match=r"^could not fetch http://127\.0\.0\.1"),
    ):
        fetcher.fetch(f"http://127.0.0.1:{port}/page")


# -- the SSRF guard under default settings ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.1/", "a private address"),
        ("http://192.168.1.20:8080/admin", "a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "a cloud metadata address"),
        ("http://[::1]/", "a loopback address"),
        ("http://0.0.0.0/", "an unspecified address"),
        ("http://100.64.3.4/", "carrier-grade NAT"),
        ("http://[::ffff:10.0.0.1]/", "an IPv4-mapped IPv6 address"),
        ("http://[fe80::1]/", "a link-local address"),
        ("http://224.0.0.1/", "a multicast address"),
    ],
)
def test_default_settings_refuse_private_literals(url: str, reason: str) -> None:
    with Fetcher(FetchSettings()) as fetcher, pytest.raises(BlockedAddressError) as info:
        fetcher.fetch(url)
    assert reason in str(info.value)


def test_default_settings_refuse_the_local_server(server: LocalServer) -> None:
    before = len(server.log.requests)
    with Fetcher(FetchSettings()) as fetcher, pytest.raises(BlockedAddressError, match="a loopback address"):
        fetcher.fetch(f"{server.base}/page")
    with Fetcher(FetchSettings()) as fetcher, pytest.raises(BlockedAddressError, match="a loopback address"):
        fetcher.fetch(f"http://localhost:{server.port}/page")
    assert len(server.log.requests) == before  # nothing was sent


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://files.example/x", "gopher://x.example/", "data:text/html,hi"]
)
def test_other_schemes_are_refused(url: str) -> None:
    with Fetcher(FetchSettings()) as fetcher, pytest.raises(BlockedAddressError, match="only http and https"):
        fetcher.fetch(url)


class FakeNet:
    """A resolver table and a mock transport standing in for the internet."""

    def __init__(
        self, table: dict[str, list[str]], routes: dict[tuple[str, str], Callable[[], httpx.Response]]
    ):
        self.table = table
        self.routes = routes
        self.seen: list[httpx.Request] = []
        self.resolved: list[str] = []

    def resolve(self, host: str, port: int) -> list[str]:
        self.resolved.append(host)
        if host not in self.table:
            raise socket.gaierror(f"[Errno -2] Name or service not known: {host}")
        return self.table[host]

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        host = request.headers.get("host", request.url.host).split(":")[0]
        route = self.routes.get((host, request.url.path))
        if route is None:
            return httpx.Response(404, text="no route")
        return route()

    def fetcher(self, **changes: object) -> Fetcher:
        values: dict[str, object] = {"per_host_interval_s": 0.0}
        values.update(changes)
        return Fetcher(
            FetchSettings(**values),  # type: ignore[arg-type]
            resolver=self.resolve,
            transport=httpx.MockTransport(self.handle),
        )


def test_hostnames_resolving_to_private_addresses_are_refused() -> None:
    net = FakeNet({"intranet.example": ["10.1.2.3"], "mixed.example": ["93.184.216.34", "192.168.0.9"]}, {})
    with net.fetcher() as fetcher:
        with pytest.raises(BlockedAddressError) as info:
            fetcher.fetch("http://intranet.example/")
        assert (
            str(info.value)
            == "refused to fetch http://intranet.example/: intranet.example is 10.1.2.3, a private address"
        )
        with pytest.raises(BlockedAddressError, match=r"192\.168\.0\.9"):
            fetcher.fetch("http://mixed.example/")
    assert net.seen == []


def test_redirect_from_public_to_private_host_is_refused() -> None:
    net = FakeNet(
        {"public.example": ["93.184.216.34"], "metadata.example": ["169.254.169.254"]},
        {
            ("public.example", "/story"): lambda: httpx.Response(
                302, headers={"Location": "http://metadata.example/latest/meta-data/"}
            ),
        },
    )
    with net.fetcher() as fetcher, pytest.raises(BlockedAddressError) as info:
        fetcher.fetch("http://public.example/story")
    assert "metadata.example is 169.254.169.254, a cloud metadata address" in str(info.value)
    assert [request.url.path for request in net.seen] == ["/robots.txt", "/story"]


def test_connections_go_to_the_checked_address() -> None:
    net = FakeNet(
        {"news.example": ["93.184.216.34"]},
        {
            ("news.example", "/a"): lambda: httpx.Response(
                200, content=PAGE, headers={"Content-Type": "text/html"}
            )
        },
    )
    with net.fetcher(respect_robots=False) as fetcher:
        result = fetcher.fetch("https://news.example/a")
    (request,) = net.seen
    assert request.url.host == "93.184.216.34"  # pinned: DNS cannot change between check and connect
    assert request.headers["host"] == "news.example"
    assert request.extensions["sni_hostname"] == "news.example"
    assert result.final_url == "https://news.example/a"
    assert net.resolved == ["news.example"]


def test_unresolvable_host_is_a_fetch_error() -> None:
    net = FakeNet({}, {})
    with (
        net.fetcher() as fetcher,
        pytest.raises(FetchError, match=r"could not resolve host nowhere\.example"),
    ):
        fetcher.fetch("http://nowhere.example/")


@pytest.mark.parametrize(
    ("robots", "allowed", "reason"),
    [
        (lambda: httpx.Response(404), True, ""),
        (lambda: httpx.Response(500), False, "robots.txt answered HTTP 500"),
        (lambda: httpx.Response(200, text="User-agent: dateline\nDisallow: /a\n"), False, ""),
        (lambda: httpx.Response(200, text="User-agent: *\nDisallow: /\n"), False, ""),
        (lambda: httpx.Response(200, text="User-agent: OtherBot\nDisallow: /\n"), True, ""),
    ],
)
def test_robots_txt_verdicts(robots: Callable[[], httpx.Response], allowed: bool, reason: str) -> None:
    net = FakeNet(
        {"news.example": ["93.184.216.34"]},
        {
            ("news.example", "/robots.txt"): robots,
            ("news.example", "/a"): lambda: httpx.Response(200, content=PAGE),
        },
    )
    with net.fetcher() as fetcher:
        if allowed:
            assert fetcher.fetch("http://news.example/a").content == PAGE
        else:
            with pytest.raises(FetchError, match=r"refused by robots\.txt") as info:
                fetcher.fetch("http://news.example/a")
            assert reason in str(info.value)


def test_unreachable_host_is_reported_as_such_not_as_robots() -> None:
    def refuse() -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    net = FakeNet({"news.example": ["93.184.216.34"]}, {("news.example", "/robots.txt"): refuse})
    with net.fetcher() as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch("http://news.example/a")
    assert str(info.value) == "could not fetch http://news.example/robots.txt: connection refused"


def test_robots_txt_redirecting_to_a_private_address_means_disallow() -> None:
    net = FakeNet(
        {"news.example": ["93.184.216.34"], "internal.example": ["10.0.0.7"]},
        {
            ("news.example", "/robots.txt"): lambda: httpx.Response(
                302, headers={"Location": "http://internal.example/"}
            )
        },
    )
    with (
        net.fetcher() as fetcher,
        pytest.raises(FetchError, match=r"refused by robots.txt.*robots.txt unreachable"),
    ):
        fetcher.fetch("http://news.example/a")


def test_per_host_rate_limit_with_a_fake_clock() -> None:
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    ok = lambda: httpx.Response(200, content=PAGE)  # noqa: E731
    net = FakeNet(
        {"a.example": ["93.184.216.34"], "b.example": ["93.184.216.35"]},
        {("a.example", "/1"): ok, ("a.example", "/2"): ok, ("a.example", "/3"): ok, ("b.example", "/1"): ok},
    )
    fetcher = Fetcher(
        FetchSettings(per_host_interval_s=1.0, respect_robots=False),
        resolver=net.resolve,
        clock=lambda: now[0],
        sleep=sleep,
        transport=httpx.MockTransport(net.handle),
    )
    with fetcher:
        fetcher.fetch("http://a.example/1")
        assert sleeps == []
        fetcher.fetch("http://a.example/2")
        assert sleeps == [1.0]
        fetcher.fetch("http://b.example/1")  # another host: no wait
        assert sleeps == [1.0]
        now[0] += 0.4
        fetcher.fetch("http://a.example/3")
        assert sleeps == [1.0, pytest.approx(0.6)]


def test_invalid_urls_are_fetch_errors() -> None:
    with Fetcher(FetchSettings()) as fetcher:
        for url in ["http://", "not a url", "http://[::1"]:
            with pytest.raises(FetchError):
                fetcher.fetch(url)


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("8.8.8.8", False),
        ("93.184.216.34", False),
        ("2606:4700:4700::1111", False),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("10.255.255.255", True),
        ("172.16.0.1", True),
        ("192.168.0.1", True),
        ("100.64.0.1", True),
        ("100.127.255.254", True),
        ("169.254.1.1", True),
        ("169.254.169.254", True),
        ("224.0.0.251", True),
        ("240.0.0.1", True),
        ("255.255.255.255", True),
        ("0.0.0.0", True),
        ("192.0.2.10", True),
        ("::", True),
        ("::1", True),
        ("fc00::1", True),
        ("fd12:3456::1", True),
        ("fe80::abcd", True),
        ("ff02::1", True),
        ("::ffff:8.8.8.8", True),
        ("::ffff:127.0.0.1", True),
        ("2002:7f00:0001::1", True),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a00:1", True),  # NAT64 wrapping 10.0.0.1
        ("fd00:ec2::254", True),
    ],
)
def test_address_block_reason(address: str, blocked: bool) -> None:
    assert (address_block_reason(ipaddress.ip_address(address)) is not None) is blocked
