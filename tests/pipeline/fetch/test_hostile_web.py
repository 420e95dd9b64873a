"""The fetch stage against a local hostile web: every fault ends in a clear message, nothing hangs."""

from __future__ import annotations

import time

import pytest

from tests.hostile_web import HostileWeb
from vistka.pipeline.fetch import AddressRefused, FetchError, FetchPolicy, fetch
from vistka.pipeline.fetch.response import MAX_RETRY_AFTER

POLICY = FetchPolicy(timeout=1.5, connect_timeout=1, read_timeout=1, allow_hosts=["127.0.0.1"])


@pytest.fixture(scope="module")
def web():
    with HostileWeb() as server:
        yield server


@pytest.mark.parametrize(("path", "message"), [
    ("/never", r"timed out \(limits: 1 s to connect, 1 s of silence, 1.5 s in all\)"),
    ("/trickle", r"timed out"),
    ("/error500", r"answered HTTP 500 Internal Server Error"),
    ("/rate-limited", r"is rate-limiting us \(HTTP 429\); it asked us to wait 120 s"),
    ("/unavailable", r"is temporarily unavailable \(HTTP 503\); it asked us to wait"),
    ("/loop", r"more than 5 redirects \(a redirect loop\?\)"),
    ("/redirect-127", r"refused: 127.0.0.2 resolves to 127.0.0.2, a loopback address"),
    ("/redirect-10", r"refused: 10.0.0.1 resolves to 10.0.0.1, a private address"),
    ("/redirect-metadata", r"169.254.169.254, a link-local \(cloud metadata range\) address"),
    ("/redirect-ipv6-loopback", r"::1, a loopback address"),
    ("/redirect-mapped", r"refused: ::ffff:127.0.0.1 resolves to ::ffff:7f00:1, a loopback address"),
    ("/gzip-bomb", r"looks like a decompression bomb"),
    ("/huge", r"is 100,000,000 bytes, over the 10,000,000-byte limit"),
    ("/huge-undeclared", r"over the 10,000,000-byte limit \(stopped reading\)"),
])
def test_each_fault_fails_fast_with_a_message(web, path, message):
    started = time.monotonic()
    with pytest.raises(FetchError, match=message):
        fetch(web.url(path), POLICY)
    assert time.monotonic() - started < 3


def test_wrong_content_type_is_refused_before_the_body(web):
    with pytest.raises(FetchError, match="serves video/mp4, which is not a page"):
        fetch(web.url("/video"), POLICY, expect="page")


def test_retry_after_is_kept_in_seconds(web):
    with pytest.raises(FetchError) as error:
        fetch(web.url("/rate-limited"), POLICY)
    assert error.value.retry_after == 120
    with pytest.raises(FetchError) as error:
        fetch(web.url("/unavailable"), POLICY)
    assert error.value.retry_after == MAX_RETRY_AFTER  # a date in 2099: capped, not 73 years


def test_forbidden_redirects_are_refused_before_connecting(web, monkeypatch):
    import httpcore

    connected = []
    original = httpcore.SyncBackend.connect_tcp
    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp",
                        lambda self, host, port, *a, **k: connected.append(host) or original(self, host, port, *a, **k))
    with pytest.raises(AddressRefused):
        fetch(web.url("/redirect-10"), POLICY)
    assert connected == ["127.0.0.1"]  # the first hop only; 10.0.0.1 was never dialled


def fake_dns(monkeypatch, name: str, answers, port: int) -> None:
    """Answer lookups of `name` from `answers`; every other lookup (IP literals) goes to the real
    resolver, so no test connection can ever leave 127.0.0.1."""
    import socket

    real = socket.getaddrinfo

    def lookup(host, *args, **kwargs):
        if host != name:
            return real(host, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", lookup)


def test_connected_address_is_checked_not_just_the_name(web, monkeypatch):
    """A name that resolves to a public address but whose connection lands on loopback is refused."""
    import httpcore

    port = int(web.base_url.rsplit(":", 1)[1])
    fake_dns(monkeypatch, "news.example", iter(["93.184.216.34"]), port)
    original = httpcore.SyncBackend.connect_tcp
    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp",
                        lambda self, host, p, *a, **k: original(self, "127.0.0.1", p, *a, **k))
    with pytest.raises(AddressRefused, match="refused: news.example connected to 127.0.0.1, a loopback address"):
        fetch(f"http://news.example:{port}/article/0", FetchPolicy(timeout=2))


def test_dns_is_resolved_once_per_connection(web, monkeypatch):
    """Rebinding: a second lookup would answer 10.0.0.1, but the connection uses the checked answer."""
    port = int(web.base_url.rsplit(":", 1)[1])
    fake_dns(monkeypatch, "rebind.example", iter(["127.0.0.1", "10.0.0.1", "10.0.0.1"]), port)
    result = fetch(f"http://rebind.example:{port}/article/0", POLICY)
    assert "Стаття 0".encode() in result.content


def test_windows_1251_declared_page_in_koi8u_is_decoded_right(web):
    assert "Президент України" in fetch(web.url("/koi8-page"), POLICY).text


def test_cp1251_feed_declared_as_utf8_is_read_right(web):
    from vistka.pipeline.sources.feedreader import read_feed

    result = fetch(web.url("/cp1251-feed"), POLICY, expect="feed")
    assert read_feed(result.utf8_content).entries[0].title == "Новини України"


def test_process_keeps_working_after_every_fault(web):
    for path in ("/never", "/gzip-bomb", "/loop", "/redirect-metadata"):
        with pytest.raises(FetchError):
            fetch(web.url(path), POLICY)
    assert "Стаття 0".encode() in fetch(web.url("/article/0"), POLICY).content


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.1", "private"),
    ("172.16.5.5", "private"), ("fd00:ec2::254", "private"), ("169.254.169.254", "link-local"),
    ("fe80::1", "link-local"), ("224.0.0.1", "multicast"), ("ff02::1", "multicast"), ("0.0.0.0", "unspecified"),
    ("100.100.100.200", "non-public"), ("::ffff:10.0.0.1", "private"), ("93.184.216.34", ""),
    ("2606:4700::1111", ""),
])
def test_address_kinds(address, kind):
    import ipaddress

    from vistka.pipeline.fetch.guard import address_kind

    assert address_kind(ipaddress.ip_address(address)).startswith(kind) and bool(kind) == bool(address_kind(
        ipaddress.ip_address(address)))


def test_allow_list_takes_names_addresses_and_networks():
    import ipaddress

    from vistka.pipeline.fetch.guard import AddressGuard

    guard = AddressGuard(["intranet.local", "10.0.0.0/8", "::1"])
    guard.check("intranet.local", ipaddress.ip_address("192.168.1.1"))
    guard.check("x", ipaddress.ip_address("10.9.8.7"))
    guard.check("x", ipaddress.ip_address("::1"))
    with pytest.raises(AddressRefused, match="192.168.1.1, a private address"):
        guard.check("x", ipaddress.ip_address("192.168.1.1"))
