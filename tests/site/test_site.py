import pytest

from tests.factories import make_article, make_source
from vistka.core.events import content_changed
from vistka.core.models import ArticleStatus, Comment, RelatedArticle, Story

pytestmark = pytest.mark.django_db
ORIGIN = {"HTTP_ORIGIN": "http://testserver"}


@pytest.fixture
def story_setup():
    svoboda = make_source()
    ledger = make_source("Kyiv Test Ledger", "en", "https://ledger.test/")
    story = Story.objects.create(title="Meeting")
    main = make_article(svoboda, 1, story=story,
                        read_also=[{"url": "https://www.radiotest.org/a/2.html", "title": "Ours"},
                                   {"url": "https://elsewhere.test/x", "title": "Not ingested"}])
    ours = make_article(svoboda, 2)
    copy = make_article(ledger, 3, story=story, title="Ledger report")
    others = [make_article(ledger, n, title=f"Other {n}") for n in range(4, 7)]
    for score, other in enumerate(others, start=1):
        RelatedArticle.objects.create(article=main, related=other, score=score / 10)
    return main, ours, copy, others


def test_home_lists_published_articles_with_sources(client, story_setup):
    main, *_ = story_setup
    make_article(main.source, 9, status=ArticleStatus.AWAITING_TRANSLATION, title="Held back")
    page = client.get("/").content.decode()
    assert "Headline 1" in page and "Radio Test" in page and "Held back" not in page


def test_article_page_has_every_element(client, story_setup):
    main, ours, copy, others = story_setup
    response = client.get(main.get_absolute_url())
    page = response.content.decode()
    assert '<time datetime="2025-01-27T12:01:00+02:00">' in page
    assert "<h1>Headline 1</h1>" in page
    assert "Machine-translated from Ukrainian" in page and "view original" in page
    assert '— writes <a href="https://www.radiotest.org/a/1.html"' in page and "radiotest.org</a>" in page
    assert f'href="{ours.get_absolute_url()}">Headline 2</a>' in page  # read-also points inside the site
    assert 'href="https://elsewhere.test/x" rel="noopener nofollow">Not ingested' in page
    assert "Also reported by" in page and "Kyiv Test Ledger</a>: Ledger report" in page
    related = page[page.index("Related posts"):]
    assert all(other.title in related for other in others) and related.count("Kyiv Test Ledger") >= 3
    assert related.index("Other 6") < related.index("Other 4")  # best score first
    assert "Leave a Comment" in page


def test_also_reported_names_other_outlets_only_and_score_zero_links_are_not_shown(client, story_setup):
    main, ours, copy, others = story_setup
    own_follow_up = make_article(main.source, 8, story=main.story, title="Own follow-up")
    filler = make_article(copy.source, 9, title="Filler nearby in time")
    RelatedArticle.objects.create(article=main, related=filler, score=0.0)
    page = client.get(main.get_absolute_url()).content.decode()
    also = page[page.index("Also reported by"):page.index("</section>", page.index("Also reported by"))]
    assert "Ledger report" in also and "Own follow-up" not in also and main.source.name not in also
    more = page[page.index(f"More from {main.source.name}"):]
    assert f'href="{own_follow_up.get_absolute_url()}">' in more.split("</section>")[0]
    assert "Filler nearby in time" not in page


def test_original_text_page(client, story_setup):
    main, *_ = story_setup
    page = client.get(main.get_absolute_url() + "original/").content.decode()
    assert "Заголовок 1" in page and "Тіло статті." in page


def test_no_cookie_before_consent(client, story_setup):
    main, *_ = story_setup
    for url in ["/", main.get_absolute_url(), "/privacy/"]:
        response = client.get(url)
        assert response.cookies == {}, url
        assert 'name="choice" value="accept"' in response.content.decode()


def test_consent_sets_only_the_choice_cookie(client):
    response = client.post("/consent/", {"choice": "accept", "next": "/privacy/"}, **ORIGIN)
    assert response.status_code == 302 and response["Location"] == "/privacy/"
    assert response.cookies["vistka_consent"].value == "accepted"
    assert 'value="accept"' not in client.get("/").content.decode()  # banner gone


@pytest.mark.parametrize("headers", [{}, {"HTTP_ORIGIN": "https://evil.example"},
                                     {**ORIGIN, "HTTP_SEC_FETCH_SITE": "cross-site"}])
def test_cross_site_posts_are_refused(client, story_setup, headers):
    main, *_ = story_setup
    assert client.post("/consent/", {"choice": "accept"}, **headers).status_code == 403
    form = {"name": "A", "text": "hi"}
    assert client.post(f"/article/{main.pk}/comment/", form, **headers).status_code == 403
    assert not Comment.objects.exists()


def test_comment_waits_for_approval_and_is_escaped(client, story_setup):
    main, *_ = story_setup
    payload = "<script>window.pwned=1</script> Great report"
    response = client.post(f"/article/{main.pk}/comment/", {"name": "Olena", "email": "o@x.org", "text": payload},
                           **ORIGIN)
    assert response.status_code == 302 and "comment=pending" in response["Location"]
    comment = Comment.objects.get()
    assert not comment.approved
    assert "Great report" not in client.get(main.get_absolute_url()).content.decode()
    comment.approved = True
    comment.save()
    content_changed([main.pk])  # as the desk's approval announces it
    page = client.get(main.get_absolute_url()).content.decode()
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt; Great report" in page
    assert "o@x.org" not in page and "Comments (1)" in page


def test_honeypot_comment_is_dropped(client, story_setup):
    main, *_ = story_setup
    client.post(f"/article/{main.pk}/comment/", {"name": "Bot", "text": "buy", "website": "http://spam"}, **ORIGIN)
    assert not Comment.objects.exists()


def test_invalid_comment_explains(client, story_setup):
    main, *_ = story_setup
    response = client.post(f"/article/{main.pk}/comment/", {"name": "", "text": ""}, **ORIGIN)
    assert response.status_code == 400 and "This field is required" in response.content.decode()


def test_wrong_slug_redirects_to_canonical(client, story_setup):
    main, *_ = story_setup
    response = client.get(f"/article/{main.pk}/wrong-slug/")
    assert response.status_code == 301 and response["Location"] == main.get_absolute_url()


def test_story_page_lists_coverage(client, story_setup):
    main, _, copy, _ = story_setup
    page = client.get(f"/story/{main.story_id}/", follow=True).content.decode()
    assert "Headline 1" in page and "Ledger report" in page and "2 reports" in page
