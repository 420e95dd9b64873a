"""The editor's desk: the editor group's limits, the review queue end to end, withdrawal, dashboard,
brute-force lockout."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from tests.factories import make_article, make_source
from vistka.core.models import Article, ArticleStatus, FetchLog, Source, Translation
from vistka.desk.editors import create_editor
from vistka.pipeline.publish.decide import publish


@pytest.fixture
def editor(db):
    return create_editor("eddie", "eddie@example.org", "correct horse battery")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def _action(client, model: str, action: str, ids: list[int]):
    url = reverse(f"admin:core_{model}_changelist")
    return client.post(url, {"action": action, "_selected_action": [str(pk) for pk in ids]})


@pytest.mark.django_db
def test_editor_cannot_manage_users(editor_client):
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_user_add")).status_code == 403
    assert editor_client.get(reverse("admin:core_apitoken_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:core_article_changelist")).status_code == 200
    assert editor_client.get(reverse("admin:core_reviewqueueitem_changelist")).status_code == 200


@pytest.mark.django_db
def test_editor_cannot_delete_sources_but_can_pause_them(editor_client):
    source = make_source()
    assert editor_client.get(reverse("admin:core_source_delete", args=[source.pk])).status_code == 403
    _action(editor_client, "source", "pause", [source.pk])
    source.refresh_from_db()
    assert source.active is False and Source.objects.filter(pk=source.pk).exists()


@pytest.mark.django_db
def test_editor_group_survives_a_new_migrate(editor):
    call_command("migrate", verbosity=0)
    editor = User.objects.get(pk=editor.pk)
    assert editor.has_perm("core.change_article") and not editor.has_perm("auth.add_user")


@pytest.mark.django_db
def test_review_queue_end_to_end(sample_server, editor_client):
    from vistka.cli.demo import configure_sample_sources
    from vistka.pipeline.run import run_once

    ledger = next(s for s in configure_sample_sources(sample_server.base_url) if s.language == "en")
    ledger.review_required = True
    ledger.save()
    run_once([ledger])
    held = list(Article.objects.filter(source=ledger))
    assert held and all(a.status == ArticleStatus.IN_REVIEW for a in held)
    assert all(a.error == "source requires review" for a in held)
    assert Client().get(held[0].get_absolute_url()).status_code == 404  # the public: not found
    assert "Preview — not public." in editor_client.get(held[0].get_absolute_url()).content.decode()
    assert editor_client.get(f"/api/articles/{held[0].pk}").status_code == 404

    queue = editor_client.get(reverse("admin:core_reviewqueueitem_changelist")).content.decode()
    assert "source requires review" in queue and escape(held[0].title) in queue

    _action(editor_client, "reviewqueueitem", "publish", [held[0].pk])
    _action(editor_client, "reviewqueueitem", "reject", [held[1].pk])
    first, second = Article.objects.get(pk=held[0].pk), Article.objects.get(pk=held[1].pk)
    assert first.status == ArticleStatus.PUBLISHED and first.story_id is not None
    assert second.status == ArticleStatus.REJECTED
    assert editor_client.get(first.get_absolute_url()).status_code == 200
    queue = editor_client.get(reverse("admin:core_reviewqueueitem_changelist")).content.decode()
    assert escape(first.title) not in queue and escape(second.title) not in queue


@pytest.mark.django_db
def test_translation_qa_flags_send_an_article_to_review(settings):
    settings.TRANSLATION_HOLD_FLAGS = ["number"]
    source = make_source()
    article = make_article(source, status=ArticleStatus.FETCHED)
    Translation.objects.filter(article=article).update(flags=[{"kind": "number", "detail": "14,5"}])
    publish(article, translated=True)
    assert article.status == ArticleStatus.IN_REVIEW
    assert article.error == "translation flagged for review: number"


@pytest.mark.django_db
def test_clean_articles_publish_without_an_editor():
    article = make_article(make_source(), status=ArticleStatus.FETCHED)
    publish(article, translated=True)
    assert article.status == ArticleStatus.PUBLISHED


@pytest.mark.django_db
def test_withdrawal_takes_an_article_off_pages_and_api_at_once(editor_client):
    client = Client()  # a reader (editors see a preview of what is not public)
    source = make_source()
    article, other = make_article(source, 1), make_article(source, 2)
    url = article.get_absolute_url()
    assert client.get(url).status_code == 200
    _action(editor_client, "article", "withdraw", [article.pk])
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.WITHDRAWN
    assert client.get(url).status_code == 404
    assert "Headline 1" not in client.get("/").content.decode()
    assert client.get(f"/api/articles/{article.pk}").status_code == 404
    assert [a["id"] for a in client.get("/api/articles").json()["results"]] == [other.pk]
    assert client.get("/api/search", {"q": "Headline 1"}).json()["results"] == []


@pytest.mark.django_db
def test_status_change_in_the_article_form_withdraws(editor_client):
    article = make_article(make_source())
    change = reverse("admin:core_article_change", args=[article.pk])
    form = editor_client.get(change).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("related",)}
    data.update({"status": "withdrawn", "authors": "[]", "read_also": "[]", "story": "",
                 "translations-TOTAL_FORMS": "0", "translations-INITIAL_FORMS": "0"})
    response = editor_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.WITHDRAWN


@pytest.mark.django_db
def test_dashboard_shows_health_chart_and_throughput(editor_client):
    source = make_source()
    make_article(source, 1)
    make_article(source, 2, status=ArticleStatus.AWAITING_TRANSLATION)
    FetchLog.objects.create(source=source, ok=True, entries=5, new=2)
    FetchLog.objects.create(source=source, ok=False, error="HTTP 503 from the feed")
    source.last_error = "HTTP 503 from the feed"
    source.save()
    page = editor_client.get(reverse("vistka_dashboard")).content.decode()
    assert "50% of 2" in page and "HTTP 503 from the feed" in page
    assert "<svg" in page and "articles-per-day" in page
    assert page.count("<rect") == 14
    row = page[page.index('class="source-health"'):]
    assert "<td>1</td>" in row  # one article awaiting translation


@pytest.mark.django_db
def test_dashboard_is_for_staff_only(client):
    response = client.get(reverse("vistka_dashboard"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_admin_login_locks_out_after_repeated_failures(client, editor):
    login = reverse("admin:login")
    for _ in range(4):
        response = client.post(login, {"username": "eddie", "password": "wrong"})
        assert response.status_code == 200
    assert client.post(login, {"username": "eddie", "password": "wrong"}).status_code == 429
    locked = client.post(login, {"username": "eddie", "password": "correct horse battery"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_login_works_with_the_right_password(client, editor):
    response = client.post(reverse("admin:login"), {"username": "eddie", "password": "correct horse battery"})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(editor.pk)


@pytest.mark.django_db
def test_editor_adds_a_source_by_its_home_page(sample_server, editor_client):
    homepage = sample_server.base_url + "/pravda/"
    response = editor_client.post(reverse("admin:core_source_add"), {
        "name": "Pravda sample", "homepage": homepage, "feed_url": "", "language": "uk",
        "licence_mode": "excerpt", "active": "on"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Source.objects.get(name="Pravda sample").feed_url == sample_server.base_url + "/pravda/feed.xml"


@pytest.mark.django_db
def test_adding_a_source_without_any_feed_says_why(sample_server, editor_client):
    response = editor_client.post(reverse("admin:core_source_add"), {
        "name": "Nothing", "homepage": sample_server.base_url + "/robots.txt", "feed_url": "",
        "language": "uk", "licence_mode": "excerpt"})
    assert response.status_code == 200 and "no feed or sitemap found" in response.content.decode()
    assert not Source.objects.filter(name="Nothing").exists()


@pytest.mark.django_db
def test_programmatic_login_still_works_for_tests_and_shell(client, editor):
    assert client.login(username="eddie", password="correct horse battery")


@pytest.mark.django_db
def test_withdrawal_invalidates_caches_and_tells_listeners():
    from vistka.core.events import changed
    from vistka.pipeline.publish.moderation import withdraw_articles

    article = make_article(make_source())
    heard = []

    def listener(sender, article_ids, everywhere, **kwargs):
        heard.append((article_ids, everywhere))

    changed.connect(listener)
    try:
        assert withdraw_articles(Article.objects.filter(pk=article.pk)) == 1
        assert heard == [([article.pk], True)]  # off every page at once (tests/site/test_page_cache.py)
        assert withdraw_articles(Article.objects.filter(pk=article.pk)) == 0  # already withdrawn: no change
        assert heard == [([article.pk], True)]
    finally:
        changed.disconnect(listener)
