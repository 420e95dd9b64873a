"""In-body pictures: lazy-load markup recovered, captions kept with their picture, every picture ours."""

from __future__ import annotations

import io
import re

import lxml.html
import pytest
from django.test import Client
from PIL import Image

from tests import picture_pages
from tests.factories import make_article, make_source
from vistka.core.models import Article, ArticleStatus, LicenceMode
from vistka.pipeline.extract import extract_article
from vistka.pipeline.extract.figures import best_candidate, localise_images, parse_srcset, prepare_images
from vistka.pipeline.extract.images import StoredImage
from vistka.pipeline.fetch import FetchPolicy
from vistka.pipeline.run import ingest_entry
from vistka.pipeline.sources.feedreader import FeedEntry

PAGE_URL = "https://outlet.example/news/bridge.html"


def body_pictures(body_html: str) -> list[tuple[str, str]]:
    """(src, caption) of each picture of a body."""
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    pictures = []
    for image in root.iter("img"):
        figure = next(image.iterancestors("figure"), None)
        caption = figure.find("figcaption") if figure is not None else None
        pictures.append((image.get("src"), " ".join(caption.text_content().split()) if caption is not None else ""))
    return pictures


def test_lazy_loaded_pictures_get_their_real_address_and_keep_their_captions():
    result = extract_article(picture_pages.article_html(), PAGE_URL)
    pictures = body_pictures(result.body_html)
    base = "https://outlet.example/img/"
    assert [src for src, _ in pictures] == [base + name for name in (
        "bridge.jpg",  # the <noscript> copy replaced the blurred thumbnail and the src-less <img>
        "crossing.jpg",  # data-src over a data: placeholder
        "queue.jpg",  # the widest srcset candidate, not the small src
        "model.jpg",  # data-lazy-src in a <picture>
        "missing.jpg", "page.jpg", "private.jpg", "river.jpg")]
    captions = [caption for _, caption in pictures]
    assert captions[0] == f"{picture_pages.GOOD_CAPTIONS[0]} Photo: Jane Reporter"  # the credit stays with it
    assert captions[1:4] == picture_pages.GOOD_CAPTIONS[1:4] and captions[7] == picture_pages.GOOD_CAPTIONS[4]
    assert not any(caption in result.text for caption in picture_pages.GOOD_CAPTIONS)  # captions are not prose
    assert "Photo:" not in result.text and "data:" not in result.body_html


def test_srcset_candidates():
    candidates = parse_srcset("a.jpg 320w, b,c.jpg 1600w, d.jpg 2400w, data:image/gif;base64,xyz 1w")
    assert candidates == [("a.jpg", 320, "w"), ("b,c.jpg", 1600, "w"), ("d.jpg", 2400, "w")]
    assert best_candidate(candidates) == "b,c.jpg"  # the smallest that fills the widest slot we show
    assert best_candidate(parse_srcset("a.jpg 320w, b.jpg 800w")) == "b.jpg"
    assert best_candidate(parse_srcset("a.jpg, b.jpg 2x, c.jpg 1.5x")) == "b.jpg"


def test_placeholders_without_a_real_picture_leave():
    tree = lxml.html.document_fromstring(
        '<html><body><p>Text <img src="data:image/gif;base64,R0lGOD" class="lazy"> more</p>'
        '<p><img data-src="/img/{width}/x.jpg"></p><p><img src="/real.jpg"></p>'
        '<noscript><img src="https://tracker.example/pixel.gif?id=1" width="1" height="1"></noscript></body></html>')
    prepare_images(tree, PAGE_URL)
    assert [image.get("src") for image in tree.iter("img")] == ["https://outlet.example/real.jpg"]
    assert tree.find(".//p").text_content() == "Text  more"


def stored(name: str) -> StoredImage:
    return StoredImage(f"images/{name:0>24}-640.jpg", 640, 480)


def test_a_picture_we_cannot_store_leaves_with_its_caption_and_credit():
    body = ('<p>Before <a href="https://x.example/a.jpg"><img src="https://x.example/a.jpg"></a> after.</p>'
            '<figure><img src="https://x.example/b.jpg"><figcaption>Caption B <span>Photo: B</span></figcaption>'
            '</figure><p><img src="https://x.example/c.jpg"></p>'
            '<figure><img src="https://x.example/d.jpg" alt="D"><figcaption>Caption D</figcaption></figure>'
            '<figure><img src="https://x.example/d-copy.jpg"><figcaption>Same bytes as D</figcaption></figure>'
            '<figure><img src="https://x.example/lead.jpg"><figcaption>The lead again</figcaption></figure>')
    store = {"https://x.example/d.jpg": stored("d"), "https://x.example/d-copy.jpg": stored("d"),
             "https://x.example/lead.jpg": stored("lead")}
    result = localise_images(body, store.get, skip={stored("lead").name})
    assert "Caption B" not in result and "Photo: B" not in result and "Same bytes" not in result
    assert "The lead again" not in result and "x.example" not in result
    assert result.startswith("<p>Before  after.</p>")  # the text around a dropped picture stays
    assert body_pictures(result) == [(stored("d").url, "Caption D")]
    image = lxml.html.fragment_fromstring(result, create_parent="div").find(".//img")
    assert image.get("srcset") == "/media/images/00000000000000000000000d-320.jpg 320w, " \
                                  "/media/images/00000000000000000000000d-640.jpg 640w"
    assert (image.get("width"), image.get("height"), image.get("alt"), image.get("loading")) == (
        "640", "480", "D", "lazy")
    assert localise_images(result, store.get) == result  # a stored body is left as it is


def test_only_the_first_pictures_up_to_the_limit_are_copied():
    body = "".join(f'<figure><img src="https://x.example/{n}.jpg"><figcaption>{n}</figcaption></figure>'
                   for n in range(5))
    result = localise_images(body, lambda url: stored(url.rsplit("/", 1)[1][0]), limit=3)
    assert [caption for _, caption in body_pictures(result)] == ["0", "1", "2"]


def served_pictures(body_html: str) -> list[str]:
    return re.findall(r'<img[^>]*\bsrc="([^"]+)"', body_html)


def ingest_bridge_page(server, then=None, path="/news/bridge.html", guid="bridge") -> Article:
    source = make_source(f"The Local {guid}", "en", f"{server.base_url}/")
    source.licence_mode = LicenceMode.FULL  # the site shows the whole body
    source.save(update_fields=["licence_mode"])
    entry = FeedEntry(guid=guid, link=f"{server.base_url}{path}", title="Bridge plans unveiled")
    return ingest_entry(source, entry, FetchPolicy(allow_hosts=["127.0.0.1"]), then=then or (lambda article: None))


def served_size(address: str) -> tuple[int, int]:
    """The size of the JPEG the site serves at a /media/ address (made on this first request)."""
    response = Client().get(address)
    assert response.status_code == 200, address
    assert response["Content-Type"] == "image/jpeg" and "immutable" in response["Cache-Control"]
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as served:
        return served.size


def assert_every_picture_is_ours(article: Article) -> None:
    assert article.status == ArticleStatus.FETCHED, article.error
    sources = served_pictures(article.body_html)
    assert len(sources) == 5 and all(src.startswith("/media/images/") for src in sources)
    for src in sources:
        served_size(src)
    for candidate in re.findall(r'srcset="([^"]+)"', article.body_html):
        for address in candidate.split(", "):
            url, width = address.split()
            assert served_size(url)[0] == int(width.removesuffix("w"))
    assert [caption for _, caption in body_pictures(article.body_html)] == [
        f"{picture_pages.GOOD_CAPTIONS[0]} Photo: Jane Reporter", *picture_pages.GOOD_CAPTIONS[1:]]
    for gone in picture_pages.GONE_CAPTIONS + picture_pages.GONE_CREDITS:
        assert gone not in article.body_html  # a picture that could not be had left with its caption and credit
    assert "127.0.0.1" not in article.body_html.replace(article.url, "")
    assert article.image_file and article.image_width == 1280
    assert served_size(f"/media/{article.image_file}") == (article.image_width, article.image_height)


@pytest.mark.django_db
def test_ingest_stores_every_body_picture_under_media_and_drops_the_rest():
    with picture_pages.outlet() as server:
        article = ingest_bridge_page(server)
        requested = [path for path, _ in server.requests]
    assert_every_picture_is_ours(Article.objects.get(pk=article.pk))
    assert requested.count("/img/bridge.jpg") == 1 and "/img/queue-small.jpg" not in requested


@pytest.mark.django_db
def test_the_worker_task_stores_pictures_the_same_way(monkeypatch):
    from vistka.workers import tasks

    processed = []
    monkeypatch.setattr(tasks, "enqueue_processing", processed.append)  # no broker: the next stage is recorded
    with picture_pages.outlet() as server:
        entry = FeedEntry(guid="bridge", link=f"{server.base_url}/news/bridge.html", title="Bridge plans unveiled")
        source = make_source("The Local", "en", f"{server.base_url}/")
        article_id = tasks.ingest_entry_task.run(source.pk, tasks.entry_to_dict(entry))
    assert [article.pk for article in processed] == [article_id]
    assert_every_picture_is_ours(Article.objects.get(pk=article_id))


@pytest.mark.django_db
def test_feeds_carry_our_pictures_with_absolute_addresses(client):
    source = make_source("The Local", "en", "https://local.example/")
    source.licence_mode = LicenceMode.FULL
    source.save(update_fields=["licence_mode"])
    picture = stored("f")
    body = localise_images('<figure><img src="https://local.example/f.jpg"><figcaption>F</figcaption></figure>',
                           {"https://local.example/f.jpg": picture}.get)
    make_article(source, 1, translated=False, body_html=f"<p>Text.</p>{body}")
    rss = client.get("/feed.rss").content.decode()
    feed = client.get("/feed.json").json()
    absolute = f"http://testserver{picture.url}"
    assert f'src="{absolute}"' in feed["items"][0]["content_html"]
    assert "http://testserver/media/images/00000000000000000000000f-320.jpg 320w" in feed["items"][0]["content_html"]
    assert f'src="{absolute}"' in rss and 'src="/media/' not in rss


@pytest.mark.django_db
def test_articles_stored_with_outlet_pictures_get_ours(tmp_path):
    from click.testing import CliRunner

    from vistka.cli import main
    from vistka.core.models import Translation

    with picture_pages.outlet() as server:
        source = make_source("The Local", "en", f"{server.base_url}/")
        old_body = (f'<p>Text.</p><figure><img src="{server.base_url}/img/river.jpg"><figcaption>River</figcaption>'
                    f'</figure><figure><img src="{server.base_url}/img/missing.jpg"><figcaption>Gone</figcaption></figure>')
        article = make_article(source, 1, translated=False, body_html=old_body, image_url=f"{server.base_url}/img/lead.jpg")
        Translation.objects.create(article=article, language="uk", title="Т", lead="Л", body_html=old_body,
                                   engine="ctranslate2", model_id="test-model")
        untouched = make_article(source, 2, translated=False, body_html="<p>No pictures.</p>")
        result = CliRunner().invoke(main, ["localise-images"])
        again = CliRunner().invoke(main, ["localise-images"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "1 article(s) now show only our own pictures"
    assert again.output.splitlines()[-1] == "0 article(s) now show only our own pictures"  # nothing left to do
    assert [path for path, _ in server.requests].count("/img/missing.jpg") == 1  # tried once for both bodies
    article.refresh_from_db()
    for body in (article.body_html, article.translations.get().body_html):
        assert body_pictures(body) == [(body_pictures(article.body_html)[0][0], "River")]
        assert body_pictures(body)[0][0].startswith("/media/images/") and "Gone" not in body
    assert article.image_file and served_size(f"/media/{article.image_file}")[0] == article.image_width
    untouched.refresh_from_db()
    assert untouched.body_html == "<p>No pictures.</p>"


def test_a_captioned_picture_becomes_a_block_figure_and_the_text_around_it_stays():
    from vistka.pipeline.extract.body import clean_body

    tree = lxml.html.document_fromstring(
        '<html><body><article><p><a href="/a-large.jpg"><img src="/a.jpg" alt="A"></a></p>'
        '<p class="photo-credit">Photo: A</p>'
        '<p>Before <span class="image"><img src="/b.jpg"><span class="caption">Cap B</span></span> after.</p>'
        '<p>Plain <img src="/c.jpg"> picture.</p></article></body></html>')
    prepare_images(tree, PAGE_URL)
    body = clean_body(tree.find(".//article"), PAGE_URL)
    assert body.html == (
        '<figure><img src="https://outlet.example/a.jpg" alt="A"><figcaption>Photo: A</figcaption></figure>'
        '<p>Before  after.</p>'
        '<figure><img src="https://outlet.example/b.jpg"><figcaption>Cap B</figcaption></figure>'
        '<p>Plain <img src="https://outlet.example/c.jpg"> picture.</p>')
    assert body.text == "Before after.\n\nPlain picture."


def test_a_noscript_left_open_around_the_article_keeps_the_article():
    # A broken page: the <noscript> of a tracking pixel is never closed, so it holds the whole article.
    words = " ".join(f"word{n}" for n in range(400))
    tree = lxml.html.document_fromstring(
        f'<html><body><noscript><img src="https://tracker.example/p.gif" width="1" height="1">'
        f'<div class="article"><h1>Bears</h1><p>{words}</p><img src="/bear.jpg"></div></body></html>')
    prepare_images(tree, PAGE_URL)
    assert words in tree.text_content()
    assert "https://outlet.example/bear.jpg" in [image.get("src") for image in tree.iter("img")]


def test_one_figure_with_several_pictures_that_cannot_be_stored_leaves_whole():
    body = ('<p>Text before.</p><figure><img src="https://x.example/a.jpg"><img src="https://x.example/b.jpg">'
            '<figcaption>Two views</figcaption></figure><p>Text after.</p>')
    assert localise_images(body, lambda url: None) == "<p>Text before.</p><p>Text after.</p>"
