"""Page cache with invalidation, conditional GET, compression, hashed static files, security headers."""

import gzip

import pytest
from django.core.management import call_command

from tests.factories import make_article, make_source
from vistka.core.events import content_changed
from vistka.core.models import Translation

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return make_article(make_source(), 1)


def test_cached_page_needs_no_query_and_changes_on_publish(client, article, django_assert_num_queries):
    client.get("/")
    with django_assert_num_queries(0):
        assert "Headline 1" in client.get("/").content.decode()
    Translation.objects.filter(article=article).update(title="Renamed")  # bypasses signals...
    assert "Headline 1" in client.get("/").content.decode()  # ...so the cached page stands
    make_article(article.source, 2)  # a new publication invalidates every page
    page = client.get("/").content.decode()
    assert "Renamed" in page and "Headline 2" in page


def test_conditional_get(client, article):
    first = client.get(article.get_absolute_url())
    assert first["ETag"] and first["Last-Modified"] and "Cookie" in first["Vary"]
    again = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    article.title = "Changed"
    article.save()
    content_changed([article.pk])
    assert client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    feed = client.get("/feed.rss")
    assert client.get("/feed.rss", HTTP_IF_NONE_MATCH=feed["ETag"]).status_code == 304


def test_consent_choice_gets_its_own_cached_copy(client, article):
    assert 'value="accept"' in client.get("/").content.decode()
    client.cookies["vistka_consent"] = "rejected"
    assert 'value="accept"' not in client.get("/").content.decode()


def test_responses_are_compressed(client, article):
    response = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert b"Headline 1" in gzip.decompress(response.content)


def test_security_headers(client, article):
    response = client.get(article.get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "script-src 'self';" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_analytics_only_after_accept(client, article, settings):
    settings.ANALYTICS_SCRIPT = "https://stats.example.org/count.js"
    before = client.get("/")
    assert "stats.example.org" not in before.content.decode()
    assert "stats.example.org" not in before["Content-Security-Policy"]
    client.cookies["vistka_consent"] = "rejected"
    assert "stats.example.org" not in client.get("/").content.decode()
    client.cookies["vistka_consent"] = "accepted"
    after = client.get("/")
    assert '<script src="https://stats.example.org/count.js" defer' in after.content.decode()
    assert "script-src 'self' https://stats.example.org" in after["Content-Security-Policy"]


@pytest.mark.parametrize("raw", ["http://plain.example/x.js", "https://x.org/a.js\"><script>", "javascript:1"])
def test_analytics_setting_refuses_unsafe_values(raw):
    from vistka.config.options import SettingError, read_options

    with pytest.raises(SettingError, match="VISTKA_ANALYTICS_SCRIPT"):
        read_options({"VISTKA_ANALYTICS_SCRIPT": raw})


def test_static_files_get_hashed_names_after_collectstatic(settings, tmp_path):
    from django.templatetags.static import static

    assert static("site/site.css") == "/static/site/site.css"  # before collectstatic: plain name
    settings.STATIC_ROOT = tmp_path  # Django's test signals give us a fresh storage for it
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = static("site/site.css")
    assert hashed.startswith("/static/site/site.") and hashed != "/static/site/site.css"
    assert (tmp_path / (hashed.removeprefix("/static/") + ".gz")).exists()
