"""The demo's site in headless Chromium, on the demo's own data (the sample outlets ingested with the
editors' translations, no engine): home, a translated article, a story, search and the review queue,
at 1280 and 390 px. Screenshots go to test-artifacts/demo-*.png."""

from __future__ import annotations

import pytest

from tests.site.test_browser import ARTIFACTS, browser  # noqa: F401  (the shared Chromium fixture)
from vistka.cli.demo import configure_sample_sources, import_sample_translations
from vistka.core.models import Article, ArticleStatus, RelatedArticle
from vistka.pipeline.run import run_once
from vistka.samples.server import outlets

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = (1280, 390)
PASSWORD = "correct horse battery"
# Every CSP violation is recorded before any page script runs, whatever the console says about it.
RECORD_CSP = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '')));"""
BROKEN_IMAGES = "imgs => imgs.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.currentSrc || i.src)"


@pytest.fixture
def demo_site(sample_server):
    """What `vistka demo` ingests, plus one article an editor has to look at."""
    assert import_sample_translations() >= 78
    run_once(configure_sample_sources(sample_server.base_url))
    article = Article.objects.get(url=sample_server.url("/svoboda/a/33296544.html"))  # Auschwitz, 80 years
    held = Article.objects.filter(source__name="Правда Сьогодні", status=ArticleStatus.PUBLISHED).first()
    Article.objects.filter(pk=held.pk).update(status=ArticleStatus.IN_REVIEW, error="source requires review")
    return article, held


def _visit(page, url: str, problems: list[str], name: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    # Lazy images load only near the viewport: scroll through the page first.
    page.evaluate("""async () => { for (let y = 0; y < document.body.scrollHeight; y += 600) {
        window.scrollTo(0, y); await new Promise(r => setTimeout(r, 20)); } window.scrollTo(0, 0); }""")
    page.wait_for_load_state("networkidle")
    broken = page.eval_on_selector_all("img", BROKEN_IMAGES)
    problems.extend(f"{name}: image did not load: {src}" for src in broken)
    problems.extend(f"{name}: CSP violation: {v}" for v in page.evaluate("window.__csp"))


def test_demo_pages_in_chromium(browser, live_server, demo_site):  # noqa: F811
    from django.contrib.auth.models import User

    article, held = demo_site
    User.objects.create_superuser("editor", "editor@example.org", PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)
    public = {"home": "/", "article": article.get_absolute_url(), "story": article.story.get_absolute_url(),
              "search": "/search/?q=Zelensky"}
    problems: list[str] = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.add_init_script(RECORD_CSP)
        page = context.new_page()
        page.on("console", lambda message, w=width: _console(message, w, problems))
        page.on("pageerror", lambda error, w=width: problems.append(f"{w}px page error: {error}"))
        page.on("response", lambda response, w=width: _response(response, w, problems))
        page.on("requestfailed", lambda request, w=width: problems.append(f"{w}px request failed: {request.url}"))
        for name, path in public.items():
            _visit(page, live_server.url + path, problems, f"{name} at {width}px")
            page.screenshot(path=str(ARTIFACTS / f"demo-{name}-{width}.png"), full_page=True)
            if "127.0.0.1" in page.inner_text("body"):
                problems.append(f"{name} at {width}px shows a loopback address")
            if name == "article":
                problems.extend(f"article at {width}px: {gap}" for gap in _seed_page_gaps(page, article))
        _log_in(page, live_server.url)
        _visit(page, live_server.url + "/admin/core/reviewqueueitem/", problems, f"review queue at {width}px")
        page.screenshot(path=str(ARTIFACTS / f"demo-review-{width}.png"), full_page=True)
        if held.title not in page.inner_text("body"):
            problems.append(f"review queue at {width}px does not list the held article")
        context.close()
    assert problems == [], "\n".join(problems)


def _console(message, width: int, problems: list[str]) -> None:
    # A failed load is reported with its URL by _response (the console message names no URL).
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        problems.append(f"{width}px console error: {message.text}")


def _response(response, width: int, problems: list[str]) -> None:
    if response.status >= 400:
        problems.append(f"{width}px {response.status} for {response.url}")


def _log_in(page, base: str) -> None:
    page.goto(base + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _seed_page_gaps(page, article: Article) -> list[str]:
    """What the page users run today shows (date, title, lead image, the lead quoted with the outlet,
    body, read also, related posts with their outlets, comments, cookie notice) that this page lacks."""
    domain = next(o["domain"] for o in outlets() if o["name"] == article.source.name)
    related = RelatedArticle.objects.filter(article=article, score__gt=0).count()
    text = " ".join(page.inner_text("body").split())
    checks = {
        "a date": page.locator("article time").count() >= 1,
        "the English title": page.locator("h1").inner_text() == article.translation.title,
        "the editors' notice": "Translated by the editors from Ukrainian" in text,
        "no machine-translation notice": "Machine-translated" not in text,
        "a lead image": page.locator("img.lead-image").count() == 1,
        "the lead quoted with the outlet's domain": f"— writes {domain}" in text,
        "the full body": page.locator(".article .body p").count() >= 4,
        "read also": page.locator("aside.read-also a").count() >= 1,
        # Related posts are shown only when related (no filler): as many as are stored, each with its outlet.
        "related posts with their outlets": page.locator("section.related li").count() == related
        and page.locator("section.related li .source").count() == related,
        "the other outlets of the story": page.locator("section.also-reported li").count() >= 2
        and article.source.name not in page.locator("section.also-reported").inner_text(),
        "the comment form": "Leave a Comment" in text,
        "the cookie notice": page.get_by_role("button", name="Accept").count() == 1,
        "a link to the original": page.locator(f'a[href="{article.url}"]').count() >= 1,
    }
    return [f"lacks {what}" for what, present in checks.items() if not present]
