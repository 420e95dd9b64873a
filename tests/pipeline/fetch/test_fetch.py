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
