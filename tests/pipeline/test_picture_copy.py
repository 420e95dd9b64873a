"""Pictures copied beside extraction (vistka/pipeline/picturecopy.py): fetched by the fetching threads,
stored by an extraction process, only recorded by the writer."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import Future

import pytest
from django.conf import settings
from django.utils.html import strip_tags

from tests import picture_pages
from tests.factories import make_source
from tests.http_servers import LocalServer, reply
from tests.pipeline.extract.test_body_images import assert_every_picture_is_ours, served_pictures
from vistka.core.models import Article, ArticleStatus, LicenceMode
from vistka.pipeline import extractpool, run
from vistka.pipeline.extract import Extracted, figures, images
from vistka.pipeline.fetch import FetchPolicy, fetch
from vistka.pipeline.picturecopy import PictureCopier
from vistka.pipeline.sources.feedreader import FeedEntry

POLICY = FetchPolicy(allow_hosts=["127.0.0.1"])


@pytest.fixture
def writer_stores_nothing(monkeypatch):
    """The writer (this process) must not decode or store a picture: only the pool process may."""
    def refuse(*args, **kwargs):
        raise AssertionError("a picture was stored by the writer")

    monkeypatch.setattr(images, "store_bytes", refuse)
    monkeypatch.setattr(run, "_store_images", refuse)


def prefetched(server: LocalServer, pool, path: str = "/news/bridge.html") -> Future:
    """The page as a fetching thread hands it to the writer: extracted and its pictures copied."""
    page = fetch(f"{server.base_url}{path}", POLICY, expect="page")
    entry = FeedEntry(guid="bridge", link=page.url, title="Bridge plans unveiled")
    copier = PictureCopier(POLICY, pool, settings.MEDIA_ROOT, settings.BODY_IMAGES_MAX)
    done: Future = Future()
    done.set_result(extractpool.extract_page(page, entry, None, "en", pool, "", copier))
    return done


def bridge_source(server: LocalServer):
    source = make_source("The Local", "en", f"{server.base_url}/")
    source.licence_mode = LicenceMode.FULL  # the site shows the whole body
    source.save(update_fields=["licence_mode"])
    return source


@pytest.mark.django_db
def test_pictures_copied_in_the_pool_are_recorded_by_the_writer(pool, writer_stores_nothing, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with picture_pages.outlet() as server:
        page = prefetched(server, pool)
        assert page.result().extracted_by != os.getpid()
        entry = FeedEntry(guid="bridge", link=f"{server.base_url}/news/bridge.html", title="Bridge plans unveiled")
        article = run.ingest_entry(bridge_source(server), entry, POLICY, then=lambda article: None, new=True, page=page)
        requested = [path for path, _ in server.requests]
    # Every picture ours (lead and body), those that could not be had gone with their captions and credits.
    assert_every_picture_is_ours(Article.objects.get(pk=article.pk))
    assert requested.count("/img/bridge.jpg") == 1 and requested.count("/img/lead.jpg") == 1


@pytest.mark.django_db
def test_a_picture_that_fails_in_the_fetching_thread_does_not_stop_the_article(pool, writer_stores_nothing,
                                                                              settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    fetch_picture = images.fetch_picture

    def broken_for_the_lead(address, policy):
        if address.endswith("/img/lead.jpg"):
            raise RuntimeError("something nobody foresaw")
        return fetch_picture(address, policy)

    monkeypatch.setattr(images, "fetch_picture", broken_for_the_lead)
    with picture_pages.outlet() as server:
        page = prefetched(server, pool)
        entry = FeedEntry(guid="bridge", link=f"{server.base_url}/news/bridge.html", title="Bridge plans unveiled")
        article = run.ingest_entry(bridge_source(server), entry, POLICY, then=lambda article: None, new=True, page=page)
    article = Article.objects.get(pk=article.pk)
    assert article.status == ArticleStatus.FETCHED, article.error
    assert not article.image_file  # the lead picture left out, the article kept
    body = served_pictures(article.body_html)
    assert len(body) == 5 and all(src.startswith("/media/images/") for src in body)
    assert all(gone not in article.body_html for gone in picture_pages.GONE_CAPTIONS)


def test_a_picture_asked_for_by_two_pages_at_once_is_fetched_once(pool, tmp_path):
    def slow_photo(request):
        time.sleep(0.5)  # both pages ask while the first fetch is still under way
        reply(200, picture_pages.jpeg(800, 600, (10, 120, 200)), {"Content-Type": "image/jpeg"})(request)

    with LocalServer({"/shared.jpg": slow_photo}) as server:
        address = f"{server.base_url}/shared.jpg"
        body = f'<p>Text.</p><figure><img src="{address}" alt=""><figcaption>Shared</figcaption></figure>'
        copier = PictureCopier(POLICY, pool, tmp_path, 20)
        results = [None, None]

        def copy(number):
            results[number] = copier.copy(Extracted(title="t", body_html=body, text="Text."), [address])

        threads = [threading.Thread(target=copy, args=(number,)) for number in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        requested = [path for path, _ in server.requests]
    assert requested == ["/shared.jpg"]
    assert results[0].body_html == results[1].body_html and 'src="/media/images/' in results[0].body_html
    # one localised in the hand-over of its pictures, the other once the first page's copy was done
    assert results[0].body_text == results[1].body_text == strip_tags(results[0].body_html)
    assert len(list((tmp_path / "originals").iterdir())) == 1
    assert images.indexed(address, tmp_path) is not None  # a later page finds it without fetching


def test_picture_sources_are_what_localising_asks_for():
    body = ('<p>a</p><figure><img src="https://o.example/1.jpg"><figcaption>one</figcaption></figure>'
            '<p><img src="/media/images/abc-640.jpg"></p><p><img src="https://o.example/1.jpg"></p>'
            '<p><img src="https://o.example/2.jpg"></p><p><img src="https://o.example/3.jpg"></p>')
    asked = []
    figures.localise_images(body, lambda address: asked.append(address), limit=4)
    assert figures.picture_sources(body, limit=4) == list(dict.fromkeys(asked)) == [
        "https://o.example/1.jpg", "https://o.example/2.jpg"]


class CountingPool:
    """The pool, with each hand-over counted: what it carried and how many bytes."""

    def __init__(self, pool):
        self.pool, self.hand_overs = pool, []

    def submit(self, function, *args):
        self.hand_overs.append((function.__name__, sum(map(len, args[0].values())) if isinstance(args[0], dict) else 0))
        return self.pool.submit(function, *args)


def numbered_pictures(server: LocalServer, count: int) -> tuple[str, list[str]]:
    addresses = [f"{server.base_url}/photo{number}.jpg" for number in range(count)]
    body = "".join(f'<p>Text {number}.</p><figure><img src="{address}" alt=""><figcaption>Photo {number}</figcaption>'
                   f"</figure>" for number, address in enumerate(addresses))
    return body, addresses


def test_a_pages_pictures_reach_the_extraction_process_in_one_hand_over_with_its_body(pool, tmp_path):
    photos = {f"/photo{n}.jpg": reply(200, picture_pages.jpeg(400, 300, (n * 40, 90, 160)), {"Content-Type": "image/jpeg"})
              for n in range(5)}
    with LocalServer(photos) as server:
        body, addresses = numbered_pictures(server, 5)
        counting = CountingPool(pool)
        copied = PictureCopier(POLICY, counting, tmp_path, 20).copy(
            Extracted(title="t", body_html=body, text="Text.", image=addresses[0]), addresses[1:])
    assert [name for name, _ in counting.hand_overs] == ["_keep"]  # five pictures and the body: one hand-over
    assert copied.lead is not None and images.indexed(addresses[0], tmp_path) == copied.lead
    shown = served_pictures(copied.body_html)
    assert len(shown) == 4 and all(src.startswith("/media/images/") for src in shown)  # the lead left the body
    assert all(f"Photo {n}" in copied.body_html for n in range(1, 5)) and "Photo 0" not in copied.body_html
    assert copied.body_text == strip_tags(copied.body_html)  # made beside the localising: the writer parses nothing


def test_pictures_too_large_to_hold_together_are_handed_over_a_few_at_a_time(pool, tmp_path, monkeypatch):
    from vistka.pipeline import picturecopy

    photo = picture_pages.jpeg(800, 600, (10, 120, 200))
    monkeypatch.setattr(picturecopy, "HAND_OVER_BYTES", 2.5 * len(photo))  # over it with the third
    photos = {f"/photo{n}.jpg": reply(200, photo[:2] + bytes([0xFF, 0xFE, 0, 3, n]) + photo[2:],
                                      {"Content-Type": "image/jpeg"}) for n in range(7)}
    with LocalServer(photos) as server:
        body, addresses = numbered_pictures(server, 7)
        counting = CountingPool(pool)
        copied = PictureCopier(POLICY, counting, tmp_path, 20).copy(Extracted(title="t", body_html=body, text="Text."),
                                                                    addresses)
    carried = [size for _, size in counting.hand_overs]
    assert len(carried) == 3 and carried[-1] < carried[0] <= 3 * (len(photo) + 5)  # 3, 3, then 1 with the body
    assert len(served_pictures(copied.body_html)) == 7
    assert len(list((tmp_path / "originals").iterdir())) == 7  # seven different files (a comment each)


def test_the_writer_gets_the_text_it_stores_and_the_story_terms_of_that_text(pool, settings, tmp_path, monkeypatch):
    """Pictures that could not be had leave with their captions, the lead picture's caption leaves the
    body: the text stored is not the text extracted. The story terms made in the pool are made again
    for the stored text, and the writer's kept texts already hold it."""
    from vistka.core import plaintext
    from vistka.pipeline.stories import grouping

    settings.MEDIA_ROOT = tmp_path
    with picture_pages.outlet() as server:
        page = prefetched(server, pool).result()
    stored = strip_tags(page.extracted.body_html)
    assert all(gone not in stored for gone in picture_pages.GONE_CAPTIONS)
    title, lead, text, lang, terms = page.text_terms
    assert text == stored and terms == grouping.text_terms_of(title, lead, stored, lang)
    monkeypatch.setattr(plaintext, "strip_tags", lambda html: pytest.fail("the writer parsed the body again"))
    assert plaintext.tags_stripped(page.extracted.body_html) == stored


def test_a_body_whose_text_cannot_be_made_is_still_localised(tmp_path, monkeypatch):
    """The text is the writer's to make then; the body and its pictures are kept all the same."""
    from vistka.pipeline import picturecopy

    def broken(html):
        raise ValueError("something nobody foresaw")

    monkeypatch.setattr(picturecopy, "strip_tags", broken)
    body = '<p>Text.</p><figure><img src="http://outlet.example/gone.jpg" alt=""><figcaption>Gone</figcaption></figure>'
    stored, errors, localised, text, _ = picturecopy._keep({}, str(tmp_path), body, {}, "", 20, False)
    assert localised is not None and "Gone" not in localised and "Text." in localised
    assert text is None and stored == {} and errors == []
