"""Fetch failures, each with a message an operator can read."""

from __future__ import annotations


class FetchError(Exception):
    """A request failed; str(error) is shown to the operator as the source's or article's error.

    `retry_after` (seconds) is set when the outlet asked us to come back later (429/503 Retry-After).
    """

    def __init__(self, message: str, *, retry_after: float | None = None, status: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status  # the HTTP status, when the server answered


class AddressRefused(FetchError):
    """The host resolves to an address vistka must never connect to (SSRF guard)."""


class RobotsDisallowed(FetchError):
    """The site's robots.txt does not allow vistka to fetch this address."""
