"""The SSRF guard: vistka never connects to loopback, private, link-local (cloud metadata), multicast
or reserved addresses, IPv4 or IPv6, unless the operator allow-lists them.

The check runs inside the connection itself (a custom httpcore network backend): the host is
resolved once, every address is checked, and the socket connects to a checked address; the peer
address of the open socket is checked again. A DNS answer that changes between a check and the
connect (DNS rebinding) therefore cannot reach a refused address. Every redirect hop opens its
own connection and goes through the same check.

An IPv6 address that carries an IPv4 address (IPv4-mapped ::ffff:a.b.c.d, 6to4 2002::/16, NAT64
64:ff9b::/96, IPv4-compatible ::a.b.c.d) reaches that IPv4 host, so it is judged as that IPv4 address.

The allow-list (VISTKA_FETCH_ALLOW_HOSTS) takes host names, addresses, networks, and any of them with
a :port (then only that port is allowed). An entry that can match nothing is logged as a warning.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import re
import socket
import ssl
import time
from typing import Any

import certifi
import httpcore
import httpx

from vistka.pipeline.fetch.errors import AddressRefused, FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

log = logging.getLogger(__name__)

NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the IPv4 address is the last 32 bits
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d (:: and ::1 are IPv6's own)


def embedded_ipv4(address: IPAddress) -> tuple[ipaddress.IPv4Address, str] | None:
    """The IPv4 address an IPv6 address carries, and how; None when it carries none."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped, "IPv4-mapped"
    if address.sixtofour is not None:
        return address.sixtofour, "6to4"
    if address in NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF), "NAT64"
    if address in IPV4_COMPATIBLE and int(address) > 1:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF), "IPv4-compatible"
    return None


def address_kind(address: IPAddress) -> str:
    """'' for an address vistka may connect to, else what kind of forbidden address it is."""
    carried = embedded_ipv4(address)
    if carried is not None:
        return address_kind(carried[0])
    checks = [("loopback", address.is_loopback), ("link-local (cloud metadata range)", address.is_link_local),
              ("multicast", address.is_multicast), ("unspecified", address.is_unspecified),
              ("private", address.is_private), ("reserved", address.is_reserved),
              ("non-public", not address.is_global)]
    return next((name for name, hit in checks if hit), "")


class AllowEntry:
    """One allow-list entry: a host name or a network (an address is a network of one), maybe a port."""

    def __init__(self, name: str = "", network: IPNetwork | None = None, port: int | None = None):
        self.name, self.network, self.port = name, network, port

    def matches(self, host: str, address: IPAddress, port: int | None) -> bool:
        if self.port is not None and port != self.port:
            return False
        if self.name:
            return _host_name(host) == self.name
        # Matched literally: an allowed 127.0.0.1 does not open ::ffff:127.0.0.1 (a redirect's trick).
        return address in self.network


_HOST_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$")
_WITH_PORT = re.compile(r"^(?:\[(?P<v6>[^\]]+)\]|(?P<host>[^:\[\]]+)):(?P<port>\d{1,5})$")


def _host_name(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


def parse_allow_entry(raw: str) -> AllowEntry | None:
    """'intranet.local', '10.0.0.0/8', '::1', '127.0.0.1:8001', '[::1]:8080', 'feeds.lan:8443'; None if
    the entry cannot match any host."""
    entry, port = raw.strip(), None
    with_port = _WITH_PORT.match(entry)
    if with_port:
        entry, port = with_port.group("v6") or with_port.group("host"), int(with_port.group("port"))
        if not 0 < port < 65536:
            return None
    try:
        return AllowEntry(network=ipaddress.ip_network(entry.strip("[]"), strict=False), port=port)
    except ValueError:
        pass
    name = _host_name(entry)
    try:
        name = name.encode("idna").decode("ascii")  # hosts reach the guard in their ASCII (punycode) form
    except UnicodeError:
        return None
    return AllowEntry(name=name, port=port) if _HOST_NAME.match(name) else None


@functools.cache
def parse_allow_list(entries: tuple[str, ...]) -> tuple[AllowEntry, ...]:
    """The usable entries; each one that can match nothing is logged (once per process) and skipped."""
    parsed = []
    for raw in entries:
        entry = parse_allow_entry(raw)
        if entry is None:
            log.warning("VISTKA_FETCH_ALLOW_HOSTS entry %r matches no host and is ignored: write a host name, "
                        "an address or a network (10.0.0.0/8), each optionally with :port (127.0.0.1:8001), "
                        "without a scheme or path", raw)
        else:
            parsed.append(entry)
    return tuple(parsed)


class AddressGuard:
    """Decides whether a host / an address may be connected to, given the operator's allow-list."""

    def __init__(self, allow_hosts: list[str]):
        self.allow = parse_allow_list(tuple(allow_hosts))

    def allows(self, host: str, address: IPAddress, port: int | None = None) -> bool:
        return any(entry.matches(host, address, port) for entry in self.allow)

    def check(self, host: str, address: IPAddress, how: str = "resolves to", port: int | None = None) -> None:
        if self.allows(host, address, port):
            return
        kind = address_kind(address)
        if kind:
            carried = embedded_ipv4(address)
            inside = f" (IPv4 {carried[0]} via {carried[1]})" if carried else ""
            raise AddressRefused(f"refused: {host} {how} {address}, a {kind} address{inside} "
                                 f"(allow it with VISTKA_FETCH_ALLOW_HOSTS if it is yours)")

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address of host, each checked; raise AddressRefused if any is forbidden."""
        try:
            infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise FetchError(f"cannot resolve host {host}: {getattr(error, 'strerror', error)}") from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))
        for address in addresses:
            self.check(host, address, port=port)
        return addresses


class GuardedBackend(httpcore.SyncBackend):
    """Connects only to checked addresses, and stops every read at the fetch's overall deadline."""

    def __init__(self, guard: AddressGuard, deadline: float):
        self.guard = guard
        self.deadline = deadline

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None) -> httpcore.NetworkStream:
        last_error: Exception | None = None
        for address in self.guard.resolve(host, port):
            try:
                stream = super().connect_tcp(str(address), port, self._clamp(timeout), local_address,
                                             socket_options)
            except httpcore.ConnectError as error:
                last_error = error
                continue
            peer = ipaddress.ip_address(stream.get_extra_info("server_addr")[0].split("%")[0])
            try:
                self.guard.check(host, peer, how="connected to", port=port)
            except AddressRefused:
                stream.close()
                raise
            return DeadlineStream(stream, self)
        raise httpcore.ConnectError(str(last_error or f"no address for {host}"))

    def _clamp(self, timeout: float | None) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise httpcore.ReadTimeout("overall deadline passed")
        return remaining if timeout is None else min(timeout, remaining)


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read and write ends by the fetch's overall deadline, so a server
    that trickles one byte a second cannot hold a fetch open for longer than the total timeout."""

    def __init__(self, inner: httpcore.NetworkStream, backend: GuardedBackend):
        self.inner = inner
        self.backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self.backend._clamp(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self.backend._clamp(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        tls = self.inner.start_tls(ssl_context, server_hostname, self.backend._clamp(timeout))
        return DeadlineStream(tls, self.backend)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Loading the CA bundle takes ~50 ms: done once per process, not once per request."""
    return ssl.create_default_context(cafile=certifi.where())


# An idle kept connection is closed after this many seconds, well before common servers' own idle
# timeouts (Apache's is 5 s): a request sent on a connection the server is closing would fail.
KEEPALIVE_SECONDS = 3.0


def guarded_transport(backend: GuardedBackend) -> httpx.HTTPTransport:
    """An httpx transport whose connections all go through `backend` (its deadline may be moved on
    for each fetch that reuses the transport)."""
    transport = httpx.HTTPTransport(retries=0, verify=_tls_context(),
                                    limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS))
    # httpx has no public hook for the network backend; the pool it builds takes one, so we set it.
    transport._pool._network_backend = backend
    return transport
