"""The editor's desk without guessing (issue 17, item 5): previews of articles that are not public,
the review item page, empty states, and the source list at 1280 px."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_article, make_source
from vistka.core.models import Article, ArticleStatus
from vistka.desk.editors import create_editor


@pytest.fixture
def editor(db):
    return create_editor("eddie", "eddie@example.org", "correct horse battery")


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def held(db):
    source = make_source()
    return make_article(source, 1, status=ArticleStatus.IN_REVIEW, error="source requires review")


def test_editors_preview_an_article_that_is_not_public(client, editor_client, held):
    url = held.get_absolute_url()
    assert client.get(url).status_code == 404
    page = editor_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Preview — not public." in html
    assert "in review</strong>: Its outlet, Radio Test, is set to have every article checked" in html
    assert reverse("admin:core_reviewqueueitem_change", args=[held.pk]) in html
    assert page["Cache-Control"] == "private, no-store" and "noindex" in page["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in html and 'id="comments"' not in html
    original = editor_client.get(reverse("article_original", args=[held.pk, held.display_slug]))
    assert original.status_code == 200 and original["Cache-Control"] == "private, no-store"
    assert client.get(original.request["PATH_INFO"]).status_code == 404
    assert client.get(url).status_code == 404  # nothing the editor saw was kept for the public
    assert Client().get(url).status_code == 404


def test_the_admin_view_on_site_link_opens_the_preview(editor_client, held):
    change = editor_client.get(reverse("admin:core_article_change", args=[held.pk])).content.decode()
    view_on_site = reverse("admin:view_on_site", args=[_content_type_id(), held.pk])
    assert view_on_site in change
    landed = editor_client.get(view_on_site, follow=True)
    assert landed.status_code == 200 and "Preview — not public." in landed.content.decode()


def test_a_published_article_shows_no_preview_banner(editor_client, held):
    Article.objects.filter(pk=held.pk).update(status=ArticleStatus.PUBLISHED)
    page = editor_client.get(held.get_absolute_url())
    assert page.status_code == 200 and "Preview — not public." not in page.content.decode()


def _content_type_id() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Article).pk


def test_the_review_item_page_shows_the_rendered_text_beside_the_original_and_decides(editor_client, held):
    from vistka.core.models import Translation

    Translation.objects.filter(article=held).update(
        body_html="<p>The <strong>rendered</strong> body.</p>",
        flags=[{"kind": "number", "detail": "14,5"}])
    Article.objects.filter(pk=held.pk).update(error="source requires review; translation flagged for review: number")
    second = make_article(held.source, 2, status=ArticleStatus.IN_REVIEW, error="")
    page = editor_client.get(reverse("admin:core_reviewqueueitem_change", args=[held.pk])).content.decode()
    assert "Its outlet, Radio Test, is set to have every article checked by an editor before it is published." in page
    assert ("The quality checks flagged its machine translation: a number in the original is missing from the "
            "translation (14,5).") in page
    original, rendered = page.index('aria-label="The outlet\'s original"'), page.index('aria-label="As it will be published"')
    assert original < page.index("<p>Тіло статті.</p>") < rendered < page.index("<p>The <strong>rendered</strong> body.</p>")
    assert 'value="publish" class="publish">Publish</button>' in page and 'value="reject" class="reject">Reject</button>' in page
    decide = reverse("admin:core_reviewqueueitem_decide", args=[held.pk])
    assert editor_client.get(decide).status_code == 405
    published = editor_client.post(decide, {"decision": "publish"})
    assert published.status_code == 302
    assert published["Location"] == reverse("admin:core_reviewqueueitem_change", args=[second.pk])  # the next one
    assert Article.objects.get(pk=held.pk).status == ArticleStatus.PUBLISHED
    second_page = editor_client.get(published["Location"]).content.decode()
    assert "An editor held it (no rule did)." in second_page
    rejected = editor_client.post(reverse("admin:core_reviewqueueitem_decide", args=[second.pk]), {"decision": "reject"})
    assert rejected["Location"] == reverse("admin:core_reviewqueueitem_changelist")
    assert Article.objects.get(pk=second.pk).status == ArticleStatus.REJECTED


def test_empty_lists_say_so_in_words(editor_client, db):
    queue = editor_client.get(reverse("admin:core_reviewqueueitem_changelist")).content.decode()
    assert "Review queue is empty." in queue and "0 review queue" not in queue
    sources = editor_client.get(reverse("admin:core_source_changelist")).content.decode()
    assert "No sources yet." in sources and "0 sources" not in sources
    make_article(make_source(), 1, status=ArticleStatus.IN_REVIEW)
    filtered = editor_client.get(reverse("admin:core_reviewqueueitem_changelist") + "?q=nothing-like-it").content.decode()
    assert "Nothing here matches." in filtered and "see all 1" in filtered


@pytest.mark.django_db
def test_status_says_the_review_queue_is_empty():
    from vistka.desk.status import desk_lines

    assert "Review queue is empty" in desk_lines()


# --- the source list at 1280 px, in a real browser ------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    from tests.site.test_browser import browser as launched  # the same headless Chromium the site's tests use

    yield from launched.__wrapped__()

@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_source_list_shows_health_without_scrolling_at_1280px(browser, live_server):
    from datetime import timedelta

    from django.utils import timezone

    from tests.site.test_browser import ARTIFACTS
    from vistka.core.models import Source

    now = timezone.now()
    for n, name in enumerate(["Українська правда — новини України та світу", "Radio Svoboda (Ukrainian Service)",
                              "Kyiv Independent", "Suspilne Novyny: Regional Desk, Kharkiv"]):
        source = make_source(name=name, homepage=f"https://outlet{n}.example/")
        source.licence_mode = ["full", "excerpt", "link", "excerpt"][n]
        source.last_polled_at = source.last_success_at = now - timedelta(hours=n + 1)
        source.next_poll_at, source.entries_per_day = now + timedelta(minutes=20), 12.5 * n
        if n == 3:
            source.consecutive_failures, source.failing_since = 7, now - timedelta(days=3)
            source.last_error = "HTTP 503 from https://outlet3.example/rss.xml after 3 retries (Service Unavailable)"
        source.save()
    create_editor("deskie", "deskie@example.org", "correct horse battery")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "deskie")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.goto(live_server.url + reverse("admin:core_source_changelist"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-sources-1280.png"))
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow} px wider than the window"
    # The admin scrolls a wide table inside its own box: that must not be needed either.
    hidden = page.evaluate("(() => { const box = document.querySelector('#changelist .results');"
                           " return box.scrollWidth - box.clientWidth; })()")
    assert hidden <= 0, f"the source table scrolls sideways by {hidden} px"
    cells = page.locator("td.field-health")
    assert cells.count() == Source.objects.count()
    right = page.locator("#changelist .results").bounding_box()
    for index in range(cells.count()):
        box = cells.nth(index).bounding_box()
        assert box and box["x"] + box["width"] <= min(1280, right["x"] + right["width"]) + 1
    assert "FLAGGED: failing since" in page.locator("#result_list").inner_text()
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_review_item_page_and_the_preview_in_a_browser(browser, live_server):
    from tests.site.test_browser import ARTIFACTS
    from vistka.core.models import Translation

    source = make_source()
    item = make_article(source, 1, status=ArticleStatus.IN_REVIEW,
                        error="source requires review; translation flagged for review: number",
                        body_html="<p>Ворог атакував Харків 14,5 тисячами дронів.</p><p>Друге речення тексту.</p>")
    Translation.objects.filter(article=item).update(
        body_html="<p>The enemy attacked Kharkiv with drones.</p><p>The second sentence.</p>",
        flags=[{"kind": "number", "detail": "14,5"}])
    create_editor("deskie", "deskie@example.org", "correct horse battery")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "deskie")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.goto(live_server.url + reverse("admin:core_reviewqueueitem_change", args=[item.pk]))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-review-item-1280.png"))
    original, rendered = page.locator(".review-side > section").all()
    left, right = original.bounding_box(), rendered.bounding_box()
    assert left["x"] + left["width"] <= right["x"] and abs(left["y"] - right["y"]) < 2  # side by side
    assert page.get_by_role("button", name="Publish").is_visible()
    assert page.get_by_role("button", name="Reject").is_visible()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the two texts stack, nothing overflows
    page.reload()
    page.screenshot(path=str(ARTIFACTS / "admin-review-item-390.png"), full_page=True)
    original, rendered = page.locator(".review-side > section").all()
    assert original.bounding_box()["y"] + original.bounding_box()["height"] <= rendered.bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_role("button", name="Publish").is_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + item.get_absolute_url())
    page.screenshot(path=str(ARTIFACTS / "article-preview-1280.png"))
    assert page.locator(".preview-banner").is_visible()
    page.goto(live_server.url + reverse("admin:core_reviewqueueitem_change", args=[item.pk]))
    page.get_by_role("button", name="Publish").click()
    page.wait_for_load_state()
    assert "Review queue is empty." in page.content() and "Published “Headline 1”." in page.content()
    page.screenshot(path=str(ARTIFACTS / "admin-review-queue-empty-1280.png"))
    assert errors == []
    context.close()


def test_editors_cannot_delete_an_article_through_the_review_queue(editor_client, held):
    page = editor_client.get(reverse("admin:core_reviewqueueitem_change", args=[held.pk])).content.decode()
    assert "deletelink" not in page
    assert editor_client.post(reverse("admin:core_reviewqueueitem_delete", args=[held.pk]),
                              {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=held.pk).exists()
