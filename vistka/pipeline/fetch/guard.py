"""The SSRF guard: vistka never connects to loopback, private, link-local (cloud metadata), multicast
or reserved addresses, IPv4 or IPv6, unless the operator allow-lists them.

The check runs inside the connection itself (a custom httpcore network backend): the host is
resolved once, every address is checked, and the socket connects to a checked address; the peer
address of the open socket is checked again. A DNS answer that changes between a check and the
connect (DNS rebinding) therefore cannot reach a refused address. Every redirect hop opens its
own connection and goes through the same check.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import time
from typing import Any

import certifi
import httpcore
import httpx

from vistka.pipeline.fetch.errors import AddressRefused, FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_kind(address: IPAddress) -> str:
    """'' for an address vistka may connect to, else what kind of forbidden address it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address_kind(address.ipv4_mapped)
    checks = [("loopback", address.is_loopback), ("link-local (cloud metadata range)", address.is_link_local),
              ("multicast", address.is_multicast), ("unspecified", address.is_unspecified),
              ("private", address.is_private), ("reserved", address.is_reserved),
              ("non-public", not address.is_global)]
    return next((name for name, hit in checks if hit), "")


class AddressGuard:
    """Decides whether a host / an address may be connected to, given the operator's allow-list."""

    def __init__(self, allow_hosts: list[str]):
        self.allow_names = {entry.lower() for entry in allow_hosts}
        self.allow_networks = [_network(entry) for entry in allow_hosts if _network(entry) is not None]

    def check(self, host: str, address: IPAddress, how: str = "resolves to") -> None:
        if host.lower() in self.allow_names or any(address in net for net in self.allow_networks):
            return
        kind = address_kind(address)
        if kind:
            raise AddressRefused(f"refused: {host} {how} {address}, a {kind} address "
                                 f"(allow it with VISTKA_FETCH_ALLOW_HOSTS if it is yours)")

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address of host, each checked; raise AddressRefused if any is forbidden."""
        try:
            infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise FetchError(f"cannot resolve host {host}: {getattr(error, 'strerror', error)}") from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))
        for address in addresses:
            self.check(host, address)
        return addresses


def _network(entry: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(entry.strip("[]"), strict=False)
    except ValueError:
        return None


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
                self.guard.check(host, peer, how="connected to")
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


def guarded_transport(guard: AddressGuard, deadline: float) -> httpx.HTTPTransport:
    """An httpx transport whose connections all go through GuardedBackend."""
    transport = httpx.HTTPTransport(retries=0, verify=_tls_context())
    # httpx has no public hook for the network backend; the pool it builds takes one, so we set it.
    transport._pool._network_backend = GuardedBackend(guard, deadline)
    return transport
