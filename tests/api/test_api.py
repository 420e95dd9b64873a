"""The JSON API: public reading never leaks, cursor pagination and filters, token management, rate limit."""

from __future__ import annotations

import base64
import json

import pytest
from django.contrib.auth.models import User

from tests.factories import make_article, make_source
from vistka.api.auth import issue_token
from vistka.core.models import ApiToken, Article, ArticleStatus, Comment, Source
from vistka.desk.editors import create_editor


def _bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def editor_token(db):
    return issue_token(create_editor("api-editor", "api-editor@example.org", "pw"), "bot")


@pytest.mark.django_db
def test_public_api_shows_only_published_articles(client):
    source = make_source()
    shown = make_article(source, 1)
    hidden = [make_article(source, n, status=status) for n, status in enumerate(
        [ArticleStatus.IN_REVIEW, ArticleStatus.WITHDRAWN, ArticleStatus.REJECTED,
         ArticleStatus.AWAITING_TRANSLATION, ArticleStatus.FAILED], start=2)]
    assert [a["id"] for a in client.get("/api/articles").json()["results"]] == [shown.pk]
    for article in hidden:
        assert client.get(f"/api/articles/{article.pk}").status_code == 404


@pytest.mark.django_db
def test_public_api_never_leaks_emails(client):
    source = make_source()
    article = make_article(source, 1)
    Comment.objects.create(article=article, name="Reader", email="secret-reader@example.org", text="Hi",
                           approved=True)
    create_editor("ed", "secret-editor@example.org", "pw")
    bodies = [client.get(path).content.decode() for path in
              ["/api/articles", f"/api/articles/{article.pk}", "/api/sources", "/api/stories",
               "/api/search?q=Headline", "/api/openapi.json"]]
    assert not any("@example.org" in body for body in bodies)


@pytest.mark.django_db
def test_cursor_pagination_walks_every_article_once(client):
    source = make_source()
    ids = {make_article(source, n).pk for n in range(1, 8)}
    seen, url = [], "/api/articles?page_size=3"
    while url:
        page = client.get(url).json()
        assert "results" in page, page
        seen += [a["id"] for a in page["results"]]
        url = page["next"]  # a full URL carrying the opaque cursor
    assert sorted(seen) == sorted(ids) and seen == sorted(seen, reverse=True)


@pytest.mark.django_db
def test_filters_by_source_and_search(client):
    a, b = make_source(name="A", homepage="https://a.example/"), make_source(name="B", homepage="https://b.example/")
    first, second = make_article(a, 1), make_article(b, 2)
    assert [x["id"] for x in client.get(f"/api/articles?source={b.pk}").json()["results"]] == [second.pk]
    assert [x["id"] for x in client.get("/api/search?q=headline 1").json()["results"]] == [first.pk]
    assert client.get("/api/search?q=x").status_code == 422


@pytest.mark.django_db
def test_ids_beyond_a_64_bit_integer_are_refused_not_a_server_error(client):
    huge = 2**70  # found by the schema fuzzer: the database driver overflowed (500)
    for path in (f"/api/articles?source={huge}", f"/api/articles?story={huge}", f"/api/articles/{huge}",
                 f"/api/stories/{huge}"):
        assert client.get(path).status_code == 422, path


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", ["o=99999999999999999999", "o=-5", "p=abc", "o=1&r=1&p=99999999999999999999999",
                                    "not base64!"])
def test_impossible_cursors_are_refused_not_a_server_error(client, cursor):
    encoded = cursor if cursor == "not base64!" else base64.b64encode(cursor.encode()).decode()
    for path in ("/api/articles", "/api/stories", "/api/sources"):
        assert client.get(path, {"cursor": encoded}).status_code == 422, (path, cursor)


@pytest.mark.django_db
def test_management_needs_a_token(client):
    assert client.post("/api/sources", "{}", content_type="application/json").status_code == 401
    assert client.post("/api/articles/1/status", json.dumps({"status": "withdrawn"}),
                       content_type="application/json", **_bearer("vt_wrong")).status_code == 401


@pytest.mark.django_db
def test_token_adds_and_pauses_a_source(client, editor_token):
    payload = {"name": "New Outlet", "feed_url": "https://new.example.org/rss", "language": "uk"}
    created = client.post("/api/sources", json.dumps(payload), content_type="application/json",
                          **_bearer(editor_token))
    assert created.status_code == 201 and created.json()["licence_mode"] == "excerpt"
    pk = created.json()["id"]
    paused = client.patch(f"/api/sources/{pk}", json.dumps({"active": False}), content_type="application/json",
                          **_bearer(editor_token))
    assert paused.status_code == 200 and Source.objects.get(pk=pk).active is False
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.django_db
def test_a_name_that_is_taken_once_cleaned_is_a_conflict_not_a_server_error(client, editor_token):
    make_source(name="New Outlet")
    payload = {"name": "New Outlet\u0007", "feed_url": "https://new.example.org/rss", "language": "uk"}
    response = client.post("/api/sources", json.dumps(payload), content_type="application/json",
                           **_bearer(editor_token))
    assert response.status_code == 409 and Source.objects.count() == 1


@pytest.mark.django_db
def test_token_withdraws_and_republishes_an_article(client, editor_token):
    article = make_article(make_source())
    path = f"/api/articles/{article.pk}/status"
    response = client.post(path, json.dumps({"status": "withdrawn"}), content_type="application/json",
                           **_bearer(editor_token))
    assert response.json() == {"id": article.pk, "status": "withdrawn"}
    assert client.get(f"/api/articles/{article.pk}").status_code == 404
    client.post(path, json.dumps({"status": "published"}), content_type="application/json", **_bearer(editor_token))
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.PUBLISHED


@pytest.mark.django_db
def test_held_translation_cannot_be_published_through_the_api(client, editor_token):
    article = make_article(make_source(), status=ArticleStatus.AWAITING_TRANSLATION)
    response = client.post(f"/api/articles/{article.pk}/status", json.dumps({"status": "published"}),
                           content_type="application/json", **_bearer(editor_token))
    assert response.status_code == 409


@pytest.mark.django_db
def test_token_of_a_user_without_permission_is_refused(client):
    plain = User.objects.create_user("plain", password="pw", is_staff=True)
    response = client.post("/api/sources", json.dumps({"name": "X", "feed_url": "https://x.example/rss",
                                                       "language": "uk"}),
                           content_type="application/json", **_bearer(issue_token(plain, "t")))
    assert response.status_code == 403 and not Source.objects.exists()


@pytest.mark.django_db
def test_api_is_rate_limited(client, settings):
    settings.API_RATE = "3/m"
    codes = [client.get("/api/sources", REMOTE_ADDR="10.9.8.7").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_openapi_document_and_docs_page(client):
    document = client.get("/api/openapi.json").json()
    assert document["info"]["title"] == "vistka API" and "/api/articles" in document["paths"]
    assert client.get("/api/").status_code == 200
