import pytest

from tests.http_servers import LocalServer, reply
from vistka.pipeline.fetch import FetchError, FetchPolicy, fetch

ALLOW_LOCAL = FetchPolicy(timeout=2, max_body_bytes=1000, allow_hosts=["127.0.0.1"])


def etag_aware(request):
    if request.headers.get("If-None-Match") == '"v1"':
        return reply(304)(request)
    return reply(200, b"<rss/>", {"ETag": '"v1"', "Content-Type": "application/rss+xml"})(request)


ROUTES = {
    "/ok": reply(200, b"hello", {"Content-Type": "text/html; charset=windows-1251"}),
    "/big": reply(200, b"x" * 5000),
    "/gone": reply(404),
    "/loop": reply(302, headers={"Location": "/loop"}),
    "/to-metadata": reply(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}),
    "/to-ok": reply(301, headers={"Location": "/ok"}),
    "/feed": etag_aware,
}


@pytest.fixture(scope="module")
def server():
    with LocalServer(ROUTES) as local:
        yield local


def test_fetch_returns_body_and_charset(server):
    result = fetch(f"{server.base_url}/ok", ALLOW_LOCAL)
    assert result.content == b"hello"
    assert result.encoding == "windows-1251"


def test_user_agent_names_vistka_and_contact(server):
    fetch(f"{server.base_url}/ok", FetchPolicy(allow_hosts=["127.0.0.1"], contact="https://example.org/c"))
    path, headers = server.requests[-1]
    assert "vistka/" in headers["User-Agent"] and "https://example.org/c" in headers["User-Agent"]


def test_body_over_limit_is_refused(server):
    with pytest.raises(FetchError, match="over the 1,000-byte limit"):
        fetch(f"{server.base_url}/big", ALLOW_LOCAL)


def test_http_error_is_reported_in_words(server):
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(f"{server.base_url}/gone", ALLOW_LOCAL)


def test_redirect_loop_stops(server):
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(f"{server.base_url}/loop", ALLOW_LOCAL)


def test_redirect_followed(server):
    assert fetch(f"{server.base_url}/to-ok", ALLOW_LOCAL).url.endswith("/ok")


def test_redirect_to_metadata_address_refused(server):
    with pytest.raises(FetchError, match="169.254.169.254, a link-local"):
        fetch(f"{server.base_url}/to-metadata", ALLOW_LOCAL)


def test_loopback_refused_unless_allowed(server):
    with pytest.raises(FetchError, match="127.0.0.1, a loopback address"):
        fetch(f"{server.base_url}/ok", FetchPolicy(timeout=2))


def test_conditional_get_gives_not_modified(server):
    first = fetch(f"{server.base_url}/feed", ALLOW_LOCAL)
    second = fetch(f"{server.base_url}/feed", ALLOW_LOCAL, etag=first.etag)
    assert not first.not_modified and second.not_modified


class _KeepAliveServer:
    """An HTTP/1.1 server that keeps connections open, recording which connection (client port) each
    request came on; /slow answers after 3 s."""

    def __init__(self):
        import threading
        import time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.connections: list[int] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 (the stdlib's name)
                outer.connections.append(self.client_address[1])
                if self.path == "/slow":
                    time.sleep(3)
                body = b"<p>kept</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_one_thread_s_fetches_from_one_host_share_a_kept_connection():
    """A page and its pictures from one outlet: one connection (one TCP and TLS handshake), not one a
    request; another thread has its own."""
    from concurrent.futures import ThreadPoolExecutor

    server = _KeepAliveServer()
    try:
        for path in ("/a", "/b", "/c"):
            assert fetch(f"{server.base_url}{path}", ALLOW_LOCAL).content == b"<p>kept</p>"
        assert len(set(server.connections)) == 1
        with ThreadPoolExecutor(1) as other:
            other.submit(fetch, f"{server.base_url}/d", ALLOW_LOCAL).result()
        assert len(server.connections) == 4 and len(set(server.connections)) == 2
    finally:
        server.close()


def test_a_kept_connection_still_ends_at_the_fetch_s_deadline():
    import time

    server = _KeepAliveServer()
    try:
        quick = FetchPolicy(timeout=1, max_body_bytes=1000, allow_hosts=["127.0.0.1"])
        fetch(f"{server.base_url}/a", quick)
        started = time.monotonic()
        with pytest.raises(FetchError, match="timed out"):
            fetch(f"{server.base_url}/slow", quick)
        assert time.monotonic() - started < 2.5
        assert len(set(server.connections)) == 1  # the slow answer was asked on the kept connection
    finally:
        server.close()


def test_a_kept_connection_is_not_used_once_the_host_is_no_longer_allowed():
    """The guard decides per connection; a client kept under one allow-list is not used under another."""
    server = _KeepAliveServer()
    try:
        fetch(f"{server.base_url}/a", ALLOW_LOCAL)
        with pytest.raises(FetchError, match="refused"):
            fetch(f"{server.base_url}/b", FetchPolicy(timeout=2, max_body_bytes=1000))
        assert len(server.connections) == 1
    finally:
        server.close()


def test_a_connection_idle_longer_than_servers_keep_theirs_is_not_reused(monkeypatch):
    """A request sent on a connection the server is closing would fail: an idle one is dropped first."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from vistka.pipeline.fetch import guard

    monkeypatch.setattr(guard, "KEEPALIVE_SECONDS", 0.2)
    server = _KeepAliveServer()
    try:
        def two_fetches_apart():  # in a thread of its own: a client made with the setting above
            fetch(f"{server.base_url}/a", ALLOW_LOCAL)
            time.sleep(0.5)
            fetch(f"{server.base_url}/b", ALLOW_LOCAL)

        with ThreadPoolExecutor(1) as thread:
            thread.submit(two_fetches_apart).result()
        assert len(set(server.connections)) == 2
    finally:
        server.close()
