"""The reader's site in headless Chromium: screenshots, consent and analytics, comments through the
admin, XSS payloads that must not run, and axe-core accessibility checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from tests.factories import make_article, make_source
from tests.site.test_browser import ARTIFACTS, browser  # noqa: F401  (the shared Chromium fixture)
from vistka.core.models import Article, Comment, Story, Translation
from vistka.pipeline.extract import extract_article
from vistka.pipeline.publish.tagging import attach_topics

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SAMPLE_PAGE = Path(__file__).resolve().parents[2] / "vistka/samples/site/svoboda/a/33290412.html"
WIDTHS = (390, 1280)
PAYLOADS = ['<script>window.pwned=1</script>', '<img src="x" onerror="window.pwned=1">',
            '<svg onload="window.pwned=1"></svg>', '<a href="javascript:window.pwned=1">link</a>',
            '<iframe srcdoc="<script>parent.pwned=1</script>"></iframe>', '"><script>window.pwned=1</script>']


def _image(name: str, colour: str) -> str:
    folder = Path(settings.MEDIA_ROOT) / "images"
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (640, 360), colour).save(folder / name, "JPEG")
    return f"images/{name}"


@pytest.fixture
def newsroom():
    radio, ledger = make_source(), make_source("Kyiv Test Ledger", "en", "https://ledger.test/")
    pravda = make_source("Pravda Test", "uk", "https://pravda.test/")
    story = Story.objects.create(title="Drones hit the Ryazan refinery")
    lead = make_article(radio, 1, story=story, image_file=_image("lead.jpg", "#4a6fa5"), image_width=640,
                        image_height=360, authors=["Olena Petrenko"])
    Translation.objects.filter(article=lead).update(
        title="Drones hit the Ryazan refinery", lead="A fire broke out after the night attack.",
        body_html="<p>The plant burned for hours, officials said.</p><p>Two units stopped work.</p>")
    make_article(ledger, 2, story=story, title="Ryazan refinery ablaze after drone strike")
    make_article(pravda, 3, story=story)
    for n in range(4, 12):
        make_article([radio, ledger, pravda][n % 3], n, title=f"Report number {n} on the economy")
    attach_topics(lead, ["Oil refineries", "Russia"])
    lead.save()
    return lead, story


def _page(browser, live_server, width, **context):  # noqa: F811
    opened = browser.new_context(viewport={"width": width, "height": 900}, **context)
    return opened, opened.new_page()


def test_screenshots_of_every_main_page(browser, live_server, newsroom):  # noqa: F811
    lead, story = newsroom
    ARTIFACTS.mkdir(exist_ok=True)
    pages = {"home": "/", "article": lead.get_absolute_url(), "story": story.get_absolute_url(),
             "search": "/search/?q=refinery"}
    for width in WIDTHS:
        context, page = _page(browser, live_server, width)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} scrolls sideways at {width}px"
        assert page.locator("mark").first.inner_text().lower() == "refinery"
        context.close()
    assert all((ARTIFACTS / f"{name}-{width}.png").stat().st_size > 5000 for name in pages for width in WIDTHS)


def test_consent_flow_and_analytics_only_after_accept(browser, live_server, newsroom, settings):  # noqa: F811
    stub = Path(settings.MEDIA_ROOT) / "images" / "analytics.js"
    stub.write_text("window.analyticsLoaded = true;")
    settings.ANALYTICS_SCRIPT = "/media/images/analytics.js"
    lead, _ = newsroom
    context, page = _page(browser, live_server, 1280)
    outside = []
    page.on("request", lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url))
    page.goto(live_server.url + lead.get_absolute_url())
    assert context.cookies() == [] and page.locator("script[data-analytics]").count() == 0
    assert page.evaluate("window.analyticsLoaded === undefined")
    page.get_by_role("link", name="Read more").click()
    assert page.url.endswith("/cookies/") and context.cookies() == []
    page.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    assert {c["name"]: c["value"] for c in context.cookies()} == {"vistka_consent": "accepted"}
    assert page.locator("script[data-analytics]").count() == 1
    page.wait_for_function("window.analyticsLoaded === true")
    assert outside == []
    context.close()

    context, page = _page(browser, live_server, 390)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Reject").click()
    page.wait_for_load_state()
    assert {c["name"]: c["value"] for c in context.cookies()} == {"vistka_consent": "rejected"}
    assert page.get_by_role("button", name="Accept").count() == 0
    assert page.locator("script[data-analytics]").count() == 0 and page.evaluate("window.analyticsLoaded === undefined")
    context.close()


def test_comment_is_held_until_approved_in_the_admin(browser, live_server, newsroom):  # noqa: F811
    from django.contrib.auth.models import User

    lead, _ = newsroom
    User.objects.create_superuser("editor", "editor@example.org", "correct horse battery")
    reader, page = _page(browser, live_server, 390)
    page.goto(live_server.url + lead.get_absolute_url())
    page.get_by_role("textbox", name="Name").fill("Mykola")
    page.get_by_role("textbox", name="Comment").fill("A careful report, thank you.")
    page.get_by_role("button", name="Post comment").click()
    assert page.get_by_role("status").inner_text().startswith("Thank you")
    assert "A careful report" not in page.content() and "Comments (0)" in page.content()
    assert reader.cookies() == []

    editor, admin = _page(browser, live_server, 1280)
    admin.goto(live_server.url + "/admin/core/comment/")
    admin.get_by_label("Username").fill("editor")
    admin.get_by_label("Password").fill("correct horse battery")
    admin.get_by_role("button", name="Log in").click()
    admin.locator("input[name=_selected_action]").first.check()
    admin.locator("select[name=action]").select_option("approve")
    admin.locator("button[name=index]").click()
    admin.wait_for_load_state()
    assert Comment.objects.get().approved
    editor.close()

    page.goto(live_server.url + lead.get_absolute_url())
    assert "A careful report, thank you." in page.locator("#comments").inner_text()
    assert "Comments (1)" in page.content()
    reader.close()


def test_xss_payloads_never_run(browser, live_server, newsroom):  # noqa: F811
    lead, _ = newsroom
    sample = SAMPLE_PAGE.read_text()
    poisoned = sample.replace("</h1>", "".join(PAYLOADS) + "</h1>", 1).replace("<p>", "<p>" + "".join(PAYLOADS), 1)
    extracted = extract_article(poisoned, "https://www.radiotest.org/a/poisoned.html")
    source = make_source("Poisoned Outlet", "en", "https://poisoned.test/")
    source.licence_mode = "full"  # the whole body is shown, so the raw payload reaches the page
    source.save()
    through_pipeline = make_article(source, 40, title=extracted.title, body_html=extracted.body_html)
    # Stored markup that skipped the sanitiser: the Content-Security-Policy must still stop it.
    raw = make_article(source, 41, title="".join(PAYLOADS), body_html="".join(PAYLOADS))
    Comment.objects.create(article=lead, name="".join(PAYLOADS), text="".join(PAYLOADS), approved=True)
    context, page = _page(browser, live_server, 1280)
    for article in (through_pipeline, raw, lead):
        for path in (article.get_absolute_url(), "/", "/search/?q=pwned", "/feed.rss"):
            page.goto(live_server.url + path)
            page.wait_for_timeout(50)
            assert page.evaluate("window.pwned === undefined"), f"payload ran on {path}"
        assert page.locator("a[href^='javascript:']").count() == 0 or article is raw
    page.goto(live_server.url + raw.get_absolute_url())
    assert page.locator(".body script").count() >= 1, "the unsanitised payload is in the page; CSP stopped it"
    assert Article.objects.filter(pk=raw.pk, body_html="".join(PAYLOADS)).exists()  # stored data untouched
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_no_serious_violation(browser, live_server, newsroom, width):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    lead, story = newsroom
    Comment.objects.create(article=lead, name="Iryna", text="Useful.", approved=True)
    axe = Axe()
    context, page = _page(browser, live_server, width)
    failures = {}
    for path in ("/", lead.get_absolute_url(), story.get_absolute_url(), "/search/?q=refinery",
                 f"/source/{lead.source_id}/", "/topic/oil-refineries/", "/about/", "/no-such-page/"):
        page.goto(live_server.url + path)
        violations = axe.run(page).response["violations"]
        serious = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in violations
                   if v["impact"] in ("serious", "critical")]
        if serious:
            failures[path] = serious
    context.close()
    assert not failures, failures
