"""The page cache invalidates only what changed: an article's own page at once, lists within
VISTKA_PAGE_LIST_DELAY, and a withdrawal every page at once — for anonymous readers, who get cached pages."""

from __future__ import annotations

import threading
import time

import pytest
from django.test import RequestFactory

from tests.factories import make_article, make_source
from vistka.core.events import content_changed
from vistka.core.models import Article, Story
from vistka.pipeline.publish.moderation import reject_articles, withdraw_articles
from vistka.site import caching
from vistka.site.views import pages

pytestmark = pytest.mark.django_db


class Clock:
    """time.time() for the page cache, moved on by hand."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def clock(monkeypatch):
    from django.core.cache import caches

    fake = Clock()
    monkeypatch.setattr(caching, "time", fake)
    yield fake
    caches["pages"].clear()  # pages stamped in this clock's future would look fresh to later tests


@pytest.fixture
def lists_lag(settings):
    from django.core.cache import caches

    settings.PAGE_LIST_DELAY = 60.0  # as in production: lists may lag behind new articles
    caches["pages"].clear()  # pages an earlier test cached, of a database rolled back since
    caching.RENDERS._by_key.clear()  # and renders an earlier test left claimed


def _published_pair():
    source = make_source(name="Port Gazette", language="en", homepage="https://port.example/")
    story = Story.objects.create(title="Refinery fire")
    kept = make_article(source, 1, story=story, title="Dockers strike for better pay",
                        body_html="<p>Dockers strike over pay.</p>")
    gone = make_article(source, 2, story=story, title="Refinery fire in the harbour",
                        body_html="<p>A refinery burned near the harbour.</p>")
    return source, story, kept, gone


def _reader_pages(source, story, article) -> dict[str, str]:
    return {"home": "/", "article": article.get_absolute_url(), "story": story.get_absolute_url(),
            "source": source.get_absolute_url(), "feed": "/feed.rss", "atom": "/feed.atom",
            "source feed": f"{source.get_absolute_url()}feed.rss", "sitemap": "/sitemap.xml",
            "search": "/search/?q=refinery"}


@pytest.mark.parametrize("take_down", [withdraw_articles, reject_articles])
def test_withdrawal_takes_an_article_off_every_cached_page_for_anonymous_readers(
        client, lists_lag, take_down, django_assert_num_queries):
    source, story, kept, gone = _published_pair()
    pages = _reader_pages(source, story, gone)
    for name, path in pages.items():
        first = client.get(path)
        assert first.status_code == 200, name
        assert gone.get_absolute_url().encode() in first.content or b"Refinery fire in the harbour" in first.content, name
    with django_assert_num_queries(0):  # every one of them is now a cache hit
        for path in pages.values():
            assert client.get(path).status_code == 200
    assert take_down(Article.objects.filter(pk=gone.pk)) == 1  # a bulk update: no save signal
    assert client.get(pages.pop("article")).status_code == 404
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code in (200, 404), name
        assert gone.get_absolute_url().encode() not in response.content, name
        assert b"Refinery fire in the harbour" not in response.content, name
    assert b"Dockers strike" in client.get("/").content


def test_a_new_article_reaches_cached_lists_after_the_delay_not_before(client, lists_lag, clock,
                                                                      django_assert_num_queries):
    source, story, kept, _ = _published_pair()
    assert b"Dockers strike" in client.get("/").content
    make_article(source, 3, title="Ferry service resumes")  # what the pipeline does all day
    with django_assert_num_queries(0):
        assert b"Ferry service" not in client.get("/").content  # readers keep the cached list...
    clock.offset = 61
    assert b"Ferry service" in client.get("/").content  # ...which is rendered again after the delay


def test_an_articles_own_page_changes_at_once(client, lists_lag, clock):
    source, story, kept, gone = _published_pair()
    page = kept.get_absolute_url()
    first = client.get(page)
    assert b"Dockers strike" in first.content
    assert client.get(page, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    kept.title = "Dockers end their strike"
    kept.save()
    content_changed([kept.pk])  # as an editor's edit announces it
    changed = client.get(page, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and b"Dockers end their strike" in changed.content
    # Another article's page, cached before, was not touched by this change.
    other = gone.get_absolute_url()
    client.get(other)
    kept.title = "Dockers strike again"
    kept.save()
    content_changed([kept.pk])
    assert client.get(other, HTTP_IF_NONE_MATCH=client.get(other)["ETag"]).status_code == 304


def test_a_change_from_another_process_is_seen(client, lists_lag):
    """Processes share the marks file, not the cached pages: a mark set through another mapping of the
    file (another process's) makes this process's cached copy stale."""
    source, story, kept, gone = _published_pair()
    client.get("/")
    Article.objects.filter(pk=gone.pk).update(status="withdrawn")  # as another process would, unseen here
    assert b"Refinery fire in the harbour" in client.get("/").content
    elsewhere = caching._Marks()
    elsewhere.write(0, 1)  # the take-down mark, written by "vistka desk withdraw" in another process
    assert b"Refinery fire in the harbour" not in client.get("/").content


def test_polling_a_source_does_not_empty_the_cache(client, lists_lag, django_assert_num_queries):
    source, *_ = _published_pair()
    client.get("/")
    source.last_polled_at = source.created_at if hasattr(source, "created_at") else None
    source.save()
    with django_assert_num_queries(0):
        client.get("/")


def test_an_editor_holding_back_a_published_article_takes_it_off_at_once(client, lists_lag):
    source, story, kept, gone = _published_pair()
    assert b"Refinery fire in the harbour" in client.get("/").content
    gone.status = "in_review"
    gone.save()  # the admin form's full save, announced as the desk does (vistka/desk/admin.py)
    content_changed([gone.pk], everywhere=True)
    assert b"Refinery fire in the harbour" not in client.get("/").content
    assert client.get(gone.get_absolute_url()).status_code == 404


def test_editors_changes_in_the_desk_reach_cached_pages(client, lists_lag, admin_user):
    """The desk announces what an editor saves or deletes (vistka/desk/admin.py), as every write path does."""
    from django.test import Client

    from vistka.core.models import Comment

    source, story, kept, gone = _published_pair()
    desk = Client()
    desk.force_login(admin_user)
    comment = Comment.objects.create(article=kept, name="Olena", email="o@x.org", text="Thanks for the report",
                                     approved=False)
    assert b"Thanks for the report" not in client.get(kept.get_absolute_url()).content
    assert b"Refinery fire in the harbour" in client.get("/").content  # both pages cached now
    desk.post("/admin/core/comment/", {"action": "approve", "_selected_action": [comment.pk]})
    assert b"Thanks for the report" in client.get(kept.get_absolute_url()).content
    desk.post(f"/admin/core/article/{gone.pk}/delete/", {"post": "yes"})
    assert not Article.objects.filter(pk=gone.pk).exists()
    assert b"Refinery fire in the harbour" not in client.get("/").content


def _claimed_elsewhere(path: str) -> None:
    """Another thread of this process has started rendering the page again (and not finished)."""
    key = caching._page_key(RequestFactory().get(path))
    claiming = threading.Thread(target=caching.RENDERS.claim, args=(key, caching.time.time()))
    claiming.start()
    claiming.join()


def test_a_lagging_list_is_served_while_one_thread_renders_it_again(client, lists_lag, clock):
    source, *_ = _published_pair()
    client.get("/")
    make_article(source, 3, title="Ferry service resumes")
    clock.offset = 61
    _claimed_elsewhere("/")
    updating = client.get("/")
    assert updating["X-Cache"] == "updating" and b"Ferry service" not in updating.content
    caching.RENDERS._by_key.clear()  # that render is over (it would have stored the new page)
    fresh = client.get("/")
    assert fresh["X-Cache"] == "miss" and b"Ferry service" in fresh.content
    assert client.get("/")["X-Cache"] == "hit"


def test_a_page_stale_by_a_take_down_or_its_own_change_is_never_served_while_rendered(client, lists_lag):
    source, story, kept, gone = _published_pair()
    home, own = client.get("/"), client.get(kept.get_absolute_url())
    assert home["X-Cache"] == own["X-Cache"] == "miss"
    _claimed_elsewhere("/")
    _claimed_elsewhere(kept.get_absolute_url())
    kept.title = "Dockers end their strike"
    kept.save()
    content_changed([kept.pk])
    changed = client.get(kept.get_absolute_url())
    assert changed["X-Cache"] == "miss" and b"Dockers end their strike" in changed.content
    withdraw_articles(Article.objects.filter(pk=gone.pk))
    after = client.get("/")
    assert after["X-Cache"] == "miss" and b"Refinery fire in the harbour" not in after.content


def test_a_render_that_fails_or_is_abandoned_lets_the_next_reader_render(client, lists_lag, clock, monkeypatch):
    source, *_ = _published_pair()
    client.get("/")
    make_article(source, 3, title="Ferry service resumes")
    clock.offset = 61

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(pages, "top_stories", broken)
        with pytest.raises(RuntimeError):
            client.get("/")
    assert caching.RENDERS._by_key == {}  # released, though the render failed
    _claimed_elsewhere("/")  # a thread that started a render and never finished it
    assert client.get("/")["X-Cache"] == "updating"
    clock.offset += caching.RENDER_CLAIM_SECONDS
    rendered = client.get("/")
    assert rendered["X-Cache"] == "miss" and b"Ferry service" in rendered.content


def _count_compressions(monkeypatch) -> list[int]:
    """Every gzip compression of a response body, by GZipMiddleware or by the page cache."""
    import django.middleware.gzip
    from django.utils import text

    sizes = []
    real = text.compress_string

    def counted(content, **options):
        sizes.append(len(content))
        return real(content, **options)

    monkeypatch.setattr(django.middleware.gzip, "compress_string", counted)
    monkeypatch.setattr(caching, "compress_string", counted)
    return sizes


@pytest.mark.parametrize("page", ["home", "article", "feed", "sitemap", "search"])
def test_a_cached_page_is_compressed_once_and_sent_compressed_to_every_reader_who_accepts_gzip(
        client, lists_lag, monkeypatch, django_assert_num_queries, page):
    import gzip

    source, story, kept, gone = _published_pair()
    path = _reader_pages(source, story, gone)[page]
    compressions = _count_compressions(monkeypatch)
    first = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert first["X-Cache"] == "miss" and first["Content-Encoding"] == "gzip"
    page_bytes = gzip.decompress(first.content)
    assert len(compressions) == 1  # the page cache's, not GZipMiddleware's as well
    with django_assert_num_queries(0):
        hits = [client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br") for _ in range(3)]
    assert len(compressions) == 1  # hits send the stored bytes
    for hit in hits:
        assert hit["X-Cache"] == "hit" and hit["Content-Encoding"] == "gzip"
        assert hit.content == first.content and hit["Content-Length"] == str(len(first.content))
        assert hit["ETag"] == first["ETag"] and hit["ETag"].startswith('W/"')  # not the page's own bytes
        assert "Accept-Encoding" in hit["Vary"]
    plain = client.get(path)  # a client that does not accept gzip gets the page itself
    assert plain["X-Cache"] == "hit" and not plain.has_header("Content-Encoding")
    assert plain.content == page_bytes and plain["ETag"] == first["ETag"].removeprefix("W/")
    assert client.get(path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(path, HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304


def test_a_page_that_gzip_would_not_shorten_is_kept_and_sent_as_it_is(client, lists_lag, monkeypatch):
    import django.middleware.gzip

    def no_shorter(content, **options):
        return content + b"longer"

    monkeypatch.setattr(caching, "compress_string", no_shorter)
    monkeypatch.setattr(django.middleware.gzip, "compress_string", no_shorter)
    source, story, kept, gone = _published_pair()
    page = kept.get_absolute_url()
    client.get(page, HTTP_ACCEPT_ENCODING="gzip")
    hit = client.get(page, HTTP_ACCEPT_ENCODING="gzip")
    assert hit["X-Cache"] == "hit" and not hit.has_header("Content-Encoding")
    assert b"Dockers strike" in hit.content and not hit["ETag"].startswith("W/")
