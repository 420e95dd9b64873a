"""Brute-force protection for the admin login (django-axes), limited to logins that come over HTTP."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class HttpLoginLockoutBackend(AxesStandaloneBackend):
    """Axes' check, skipped for logins without a request (the shell, `Client.login` in tests):
    those cannot be guessed at from outside, and axes would refuse them outright."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
