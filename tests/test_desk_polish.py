"""The editor's desk without guessing (issue 17, item 5): previews of articles that are not public,
the review item page, empty states, and the source list at 1280 px."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_article, make_source
from vistka.core.editors import create_editor
from vistka.core.models import Article, ArticleStatus


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
    assert "Preview — not public." in html and "in review</strong>: source requires review" in html
    assert reverse("admin:core_reviewqueueitem_change", args=[held.pk]) in html
    assert page["Cache-Control"] == "private, no-store" and "noindex" in page["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in html and 'id="comments"' not in html
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
