"""Regression tests for the deployment side of the security findings (issue 14, item 4): private data
files, TLS settings, server-error logging, client addresses behind proxies, rate limits shared by
every process, and the login lockout keyed by account and address."""

from __future__ import annotations

import io
import json
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import make_article, make_source
from tests.services import fresh_redis
from vistka.config.options import SettingError, read_options
from vistka.site.clientip import client_address

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, data_dir: Path, **env_vars: str) -> dict:
    """Run code in a fresh interpreter with its own data dir and settings; return the JSON it prints."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VISTKA_", "DJANGO_"))}
    env.update(VISTKA_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="vistka.config.settings", **env_vars)
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


PRIVATE_FROM_THE_START = r"""
import json, os, pathlib
os.umask(0)  # the most permissive umask: whatever is private is private by its own creation mode
# No tightening afterwards either: what is created must be created private.
pathlib.Path.chmod = lambda self, mode, **kw: None
os.chmod = lambda *a, **kw: None
from django.conf import settings
import django
django.setup()
from django.db import connection
connection.ensure_connection()
print(json.dumps({"key": settings.SECRET_KEY}))
"""


def test_data_dir_database_and_secret_key_are_created_private(tmp_path):
    data_dir = tmp_path / "data"
    key = run_python(PRIVATE_FROM_THE_START, data_dir)["key"]
    assert len(key) > 40 and (data_dir / "secret_key").read_text().strip() == key
    assert mode(data_dir) == 0o700
    assert mode(data_dir / "secret_key") == 0o600
    assert mode(data_dir / "vistka.sqlite3") == 0o600


def test_an_existing_data_dir_and_database_are_made_private(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    (data_dir / "vistka.sqlite3").touch(mode=0o644)
    (data_dir / "secret_key").write_text("k" * 50)
    (data_dir / "secret_key").chmod(0o644)
    os.chmod(data_dir, 0o755)
    assert run_python("import json, django; django.setup(); print(json.dumps({}))", data_dir) == {}
    assert mode(data_dir) == 0o700
    assert mode(data_dir / "vistka.sqlite3") == 0o600 and mode(data_dir / "secret_key") == 0o600


TLS_SETTINGS = r"""
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in (
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "TRUSTED_PROXIES")}))
"""


def test_tls_settings_reach_django(tmp_path):
    plain = run_python(TLS_SETTINGS, tmp_path / "plain")
    assert plain == {"SESSION_COOKIE_SECURE": False, "CSRF_COOKIE_SECURE": False, "SECURE_PROXY_SSL_HEADER": None,
                     "SECURE_HSTS_SECONDS": 0, "SECURE_HSTS_INCLUDE_SUBDOMAINS": False, "TRUSTED_PROXIES": 0}
    behind = run_python(TLS_SETTINGS, tmp_path / "tls", VISTKA_HTTPS="1", VISTKA_PROXY_SSL_HEADER="X-Forwarded-Proto=https",
                        VISTKA_HSTS_SECONDS="31536000", VISTKA_HSTS_INCLUDE_SUBDOMAINS="yes", VISTKA_TRUSTED_PROXIES="1")
    assert behind == {"SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
                      "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"], "SECURE_HSTS_SECONDS": 31536000,
                      "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "TRUSTED_PROXIES": 1}


@pytest.mark.parametrize(("raw", "parsed"), [("X-Forwarded-Proto=https", ("HTTP_X_FORWARDED_PROTO", "https")),
                                             ("X-Forwarded-Ssl=on", ("HTTP_X_FORWARDED_SSL", "on")),
                                             ("X-Forwarded-Proto", ("HTTP_X_FORWARDED_PROTO", "https")), ("", None)])
def test_proxy_ssl_header_setting(raw, parsed):
    assert read_options({"VISTKA_PROXY_SSL_HEADER": raw})["VISTKA_PROXY_SSL_HEADER"] == parsed


@pytest.mark.parametrize(("name", "raw"), [("VISTKA_PROXY_SSL_HEADER", "X Forwarded: https"),
                                           ("VISTKA_TRUSTED_PROXIES", "-1"), ("VISTKA_CACHE_URL", "memcached://x"),
                                           ("VISTKA_HSTS_SECONDS", "a year")])
def test_bad_security_settings_are_refused(name, raw):
    with pytest.raises(SettingError, match=name):
        read_options({name: raw})


@pytest.mark.django_db
def test_hsts_and_secure_requests_behind_a_tls_proxy(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    assert "Strict-Transport-Security" not in client.get("/about/")
    secure = client.get("/about/", HTTP_X_FORWARDED_PROTO="https")
    assert secure["Strict-Transport-Security"] == "max-age=31536000"


def _console_streams(name: str) -> list[logging.StreamHandler]:
    """The unfiltered stream handlers a record of logger `name` reaches through vistka's own logging
    config (the root logger is left out: only pytest puts a handler there)."""
    logger, found = logging.getLogger(name), []
    while logger is not None and logger is not logging.root:
        found += [h for h in logger.handlers if isinstance(h, logging.StreamHandler) and not h.filters]
        logger = logger.parent if logger.propagate else None
    return found


@pytest.mark.django_db
def test_server_errors_are_logged_with_their_traceback_when_debug_is_off(client, settings, monkeypatch):
    settings.DEBUG = False
    from vistka.site.views import pages

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(pages, "render", broken)
    streams = _console_streams("django.request")
    assert streams, "django.request reaches no unfiltered console handler"
    captured = io.StringIO()
    old = [handler.setStream(captured) for handler in streams]
    try:
        client.raise_request_exception = False
        assert client.get("/about/?logging-test").status_code == 500
    finally:
        for handler, stream in zip(streams, old, strict=True):
            handler.setStream(stream)
    logged = captured.getvalue()
    assert "Internal Server Error: /about/" in logged and "Traceback" in logged and "the disk is on fire" in logged


def _request(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(("proxies", "remote", "forwarded", "client"), [
    (0, "203.0.113.9", "1.2.3.4", "203.0.113.9"),  # no proxies: the header is the client's own claim
    (1, "127.0.0.1", "1.2.3.4", "1.2.3.4"),
    (1, "127.0.0.1", "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # the client forged 6.6.6.6; nginx appended 1.2.3.4
    (2, "127.0.0.1", "6.6.6.6, 1.2.3.4, 10.0.0.2", "1.2.3.4"),
    (2, "127.0.0.1", "1.2.3.4", "1.2.3.4"),
    (1, "127.0.0.1", None, "127.0.0.1"),
    (1, "127.0.0.1", "not-an-address", "127.0.0.1"),
])
def test_client_address_trusts_only_configured_proxies(settings, proxies, remote, forwarded, client):
    settings.TRUSTED_PROXIES = proxies
    assert client_address(_request(remote, forwarded)) == client


@pytest.mark.django_db
def test_api_rate_limit_ignores_forged_forwarded_for(client, settings):
    settings.API_RATE = "3/m"
    codes = [client.get("/api/sources", REMOTE_ADDR="10.9.8.6", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}").status_code
             for n in range(5)]
    assert codes == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_comment_rate_limit_behind_a_proxy_is_per_client(client, settings):
    settings.TRUSTED_PROXIES = 1
    article = make_article(make_source(), 1)
    url, origin = f"/article/{article.pk}/comment/", {"HTTP_ORIGIN": "http://testserver"}

    def post(forwarded: str) -> int:
        return client.post(url, {"name": "N", "text": "t"}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded,
                           **origin).status_code

    assert [post(f"9.9.9.9, 1.1.1.{n}") for n in range(3)] == [302, 302, 302]  # three readers
    assert [post(f"{n}.6.6.6, 2.2.2.2") for n in range(7)] == [302] * 5 + [429, 429]  # one, forging


@pytest.fixture
def editors(db):
    return [User.objects.create_user(name, password="correct horse battery", is_staff=True)
            for name in ("eddie", "fran")]


@pytest.mark.django_db
def test_login_lockout_is_per_account_and_address(client, editors):
    login = reverse("admin:login")

    def attempt(username: str, password: str, address: str) -> int:
        client.logout()
        return client.post(login, {"username": username, "password": password}, REMOTE_ADDR=address).status_code

    assert [attempt("eddie", "wrong", "192.0.2.1") for _ in range(5)][-1] == 429
    assert attempt("eddie", "correct horse battery", "192.0.2.1") == 429  # locked: this account, this address
    assert attempt("fran", "correct horse battery", "192.0.2.1") == 302  # another editor behind the same proxy
    assert attempt("eddie", "correct horse battery", "198.51.100.7") == 302  # eddie from elsewhere


SHARED_LIMITS = r"""
import json, django
from vistka.cli.base import setup_django
setup_django()
from django.conf import settings
from django.test import RequestFactory
from vistka.api.api import AnonymousRate
from vistka.site.views.comments import within_rate_limit
from django.contrib.auth.models import User
from django.test import Client
settings.API_RATE = "4/h"
request = RequestFactory().get("/api/sources", REMOTE_ADDR="198.51.100.20")
if not User.objects.filter(username="eddie").exists():
    User.objects.create_user("eddie", password="correct horse battery", is_staff=True)
browser = Client(HTTP_HOST="127.0.0.1")
print(json.dumps({"comments": [within_rate_limit(request) for _ in range(3)],
                  "api": [AnonymousRate("4/h").allow_request(request) for _ in range(3)],
                  "login": [browser.post("/admin/login/", {"username": "eddie", "password": "wrong"},
                                         REMOTE_ADDR="198.51.100.20").status_code for _ in range(3)],
                  "backend": type(django.core.cache.caches[settings.RATE_LIMIT_CACHE]).__name__}))
"""


def _two_processes(data_dir: Path, **env_vars: str) -> tuple[dict, dict]:
    return run_python(SHARED_LIMITS, data_dir, **env_vars), run_python(SHARED_LIMITS, data_dir, **env_vars)


def test_rate_limits_hold_across_processes_with_the_database_cache(tmp_path):
    first, second = _two_processes(tmp_path / "data")
    assert first["backend"] == "DatabaseCache"
    # 5 comments an hour and 4 API requests from one address, whichever process answers them.
    assert first["comments"] == [True, True, True] and second["comments"] == [True, True, False]
    assert first["api"] == [True, True, True] and second["api"] == [True, False, False]
    # 5 failed logins lock the account at that address, whichever process saw them.
    assert first["login"] == [200, 200, 200] and second["login"] == [200, 429, 429]


def test_rate_limits_hold_across_processes_with_redis(tmp_path):
    with fresh_redis() as redis_url:
        first, second = _two_processes(tmp_path / "data", VISTKA_CACHE_URL=redis_url)
    assert first["backend"] == "RedisCache"
    assert second["comments"] == [True, True, False] and second["api"] == [True, False, False]
