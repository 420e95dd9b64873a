"""An article made from a realistic outlet page with in-body pictures, in headless Chromium: every
picture loads from our /media/, captions show, the CSP is never violated, the outlet is never contacted."""

from __future__ import annotations

import time

import pytest

from tests import picture_pages
from tests.conftest import require_service
from tests.pipeline.extract.test_body_images import ingest_bridge_page
from tests.site.test_browser import ARTIFACTS, browser  # noqa: F401  (the shared Chromium fixture)
from vistka.core.models import Article, ArticleStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_for_pictures(page, seconds: float = 15) -> None:
    """Until every picture has loaded or failed (polled from here: the site's CSP forbids the eval
    that Playwright's wait_for_function would use)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate("[...document.images].every(image => image.complete)"):
        assert time.monotonic() < deadline, "pictures still loading"
        page.wait_for_timeout(100)


@pytest.mark.parametrize("width", [390, 1280])
def test_article_pictures_load_from_our_media_with_their_captions(browser, live_server, width):  # noqa: F811
    with picture_pages.outlet() as outlet:
        article = ingest_bridge_page(outlet)
    outlet_origin = outlet.base_url  # closed now: a reader's browser must not need it
    Article.objects.filter(pk=article.pk).update(status=ArticleStatus.PUBLISHED)
    article.refresh_from_db()

    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    console, outside = [], []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("request", lambda request: None if request.url.startswith(live_server.url)
            else outside.append(request.url))
    page.goto(live_server.url + article.get_absolute_url())
    for image in page.locator("img").all():  # lazy pictures load when they come into view
        image.scroll_into_view_if_needed()
    wait_for_pictures(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"article-pictures-{width}.png"), full_page=True)

    pictures = page.evaluate("""[...document.images].map(image => ({
        src: image.currentSrc, natural: image.naturalWidth, shown: image.getBoundingClientRect().width,
        caption: image.closest('figure')?.querySelector('figcaption')?.innerText ?? null}))""")
    assert len(pictures) == 6  # the lead picture and the five body pictures that could be had
    for picture in pictures:
        assert picture["src"].startswith(f"{live_server.url}/media/images/"), picture
        assert picture["natural"] > 0, f"{picture['src']} did not load"
        assert picture["natural"] >= min(picture["shown"], 320), f"{picture['src']} is stretched: {picture}"
    captions = [picture["caption"] for picture in pictures if picture["caption"]]
    assert captions == [f"{picture_pages.GOOD_CAPTIONS[0]} Photo: Jane Reporter", *picture_pages.GOOD_CAPTIONS[1:]]
    assert page.locator("figcaption").first.is_visible()
    text = page.locator(".body").inner_text()
    assert not any(gone in text for gone in picture_pages.GONE_CAPTIONS + picture_pages.GONE_CREDITS)
    assert not [line for line in console if "Content Security Policy" in line or line.startswith("error")], console
    assert outside == [], outside
    addresses = page.evaluate("""[...document.querySelectorAll('[src], [srcset]')]
        .flatMap(element => [element.getAttribute('src'), element.getAttribute('srcset')]).filter(Boolean)""")
    assert not [address for address in addresses if outlet_origin in address]
    context.close()


REAL_PAGES = ("bbc-1", "guardian-1", "lazy-image-1", "lazy-image-2", "keep-images")


def test_articles_from_real_pages_show_their_pictures_from_our_media(browser, live_server):  # noqa: F811
    if not picture_pages.READABILITY_ARCHIVE.exists():
        require_service("real corpora", f"{picture_pages.READABILITY_ARCHIVE} is absent (see ../shared/corpora)")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    console, outside = [], []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("request", lambda request: None if request.url.startswith(live_server.url)
            else outside.append(request.url))
    shown = {}
    for name in REAL_PAGES:
        with picture_pages.mirrored_outlet(name) as outlet:
            article = ingest_bridge_page(outlet, path="/page.html", guid=name)
        Article.objects.filter(pk=article.pk).update(status=ArticleStatus.PUBLISHED)
        page.goto(live_server.url + article.get_absolute_url())
        for image in page.locator("img").all():
            image.scroll_into_view_if_needed()
        wait_for_pictures(page)
        pictures = page.evaluate("[...document.images].map(image => [image.currentSrc, image.naturalWidth])")
        assert all(src.startswith(f"{live_server.url}/media/images/") and width > 0 for src, width in pictures), pictures
        shown[name] = len(pictures)
    assert all(count >= 2 for count in shown.values()), shown  # the lead picture and body pictures
    assert not [line for line in console if "Content Security Policy" in line or line.startswith("error")], console
    assert outside == [], outside
    context.close()
