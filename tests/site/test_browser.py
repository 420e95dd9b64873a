"""The article page in a real headless Chromium: screenshot, consent banner, no cookie before Accept."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import require_service
from tests.factories import make_article, make_source
from vistka.core.models import Story

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        require_service("Chromium", f"{CHROMIUM} not installed (Debian package `chromium`; `make test` installs it as root)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; our ORM calls happen before it acts.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def test_article_page_consent_flow(browser, live_server):
    source = make_source()
    story = Story.objects.create(title="Meeting")
    article = make_article(source, 1, story=story)
    for n in range(2, 6):
        make_article(make_source(f"Outlet {n}", "en", f"https://o{n}.test/"), n, story=story if n == 2 else None)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outside_requests = []
    page.on("request", lambda request: None if request.url.startswith(live_server.url)
            else outside_requests.append(request.url))
    page.goto(live_server.url + article.get_absolute_url())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "article-1280.png"), full_page=True)

    assert page.locator("h1").inner_text() == "Headline 1"
    assert page.locator("time").first.get_attribute("datetime").startswith("2025-01-27")
    assert "Machine-translated from Ukrainian" in page.content()
    assert context.cookies() == [], "no cookie may exist before the reader accepts"
    assert outside_requests == [], f"third-party requests before consent: {outside_requests}"

    page.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    cookies = {cookie["name"]: cookie["value"] for cookie in context.cookies()}
    assert cookies == {"vistka_consent": "accepted"}
    assert page.get_by_role("button", name="Accept").count() == 0
    assert page.url == live_server.url + article.get_absolute_url()
    context.close()
