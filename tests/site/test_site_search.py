"""Full-text search: SQLite FTS5 in process, PostgreSQL against the real server."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import make_article, make_source
from tests.services import fresh_postgres_database
from vistka.core.events import content_changed
from vistka.core.models import Article, ArticleStatus, Translation
from vistka.pipeline.publish.moderation import withdraw_articles
from vistka.site import fulltext

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def articles(db):
    source = make_source()
    refinery = make_article(source, 1, body_html="<p>Дрони атакували завод.</p>")
    Translation.objects.filter(article=refinery).update(title="Drones hit the Ryazan refinery",
                                                        body_html="<p>The plant burned for hours.</p>")
    content_changed([refinery.pk])  # translations changed: reindex
    mention = make_article(source, 2)
    Translation.objects.filter(article=mention).update(body_html="<p>Officials in Ryazan said little.</p>")
    content_changed([mention.pk])
    hostile = make_article(make_source("Evil", "en", "https://evil.test/"), 3, title="Ryazan <b>bold</b>",
                           body_html="<p>&lt;script&gt;window.pwned=1&lt;/script&gt; Ryazan</p>")
    return refinery, mention, hostile


def test_search_ranks_translated_titles_first_and_highlights(client, articles):
    refinery, mention, _ = articles
    page = client.get("/search/?q=ryazan").content.decode()
    assert "3 results" in page
    assert page.index("Drones hit the Ryazan refinery") < page.index("Headline 2")
    assert "<mark>Ryazan</mark>" in page


def test_one_search_per_page_and_pages_past_the_end(client, articles, monkeypatch):
    calls = []
    search = fulltext.search
    monkeypatch.setattr(fulltext, "search", lambda *a, **k: calls.append(a) or search(*a, **k))
    assert "3 results" in client.get("/search/?q=ryazan").content.decode()
    assert len(calls) == 1  # the page's own search carries the total the paginator asks for first
    assert "3 results" in client.get("/search/?q=ryazan&page=7").content.decode()  # the last page instead


def test_search_matches_the_original_text_and_prefixes(articles):
    refinery, *_ = articles
    assert [hit.article_id for hit in fulltext.search("дрони", 10)[0]] == [refinery.pk]
    assert [hit.article_id for hit in fulltext.search("refin", 10)[0]] == [refinery.pk]


def test_snippets_escape_stored_markup(client, articles):
    page = client.get("/search/?q=bold").content.decode()
    assert "<b>bold" not in page and "&lt;b&gt;<mark>bold</mark>" in page
    page = client.get("/search/?q=pwned").content.decode()
    assert "<script>window" not in page


@pytest.mark.parametrize("query", ['"unbalanced', "AND OR NOT", "a* -b NEAR(", "*", ")))", "😀"])
def test_reader_input_is_never_search_syntax(client, articles, query):
    assert client.get("/search/", {"q": query}).status_code == 200


def test_unpublished_articles_leave_the_index(articles):
    refinery, *_ = articles
    refinery.status = ArticleStatus.REJECTED
    refinery.save()
    content_changed([refinery.pk], everywhere=True)
    assert fulltext.search("refinery", 10) == ([], 0)
    refinery.status = ArticleStatus.PUBLISHED
    refinery.save()
    content_changed([refinery.pk])
    assert fulltext.search("refinery", 10)[1] == 1
    assert fulltext.rebuild() == 3 and fulltext.search("refinery", 10)[1] == 1


def test_articles_taken_down_by_an_editor_leave_the_index(articles):
    refinery, *_ = articles
    withdraw_articles(Article.objects.filter(pk=refinery.pk))  # a bulk status change: no saves
    assert fulltext.search("refinery", 10) == ([], 0)


POSTGRES_SCRIPT = r"""
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.factories import make_article, make_source
from vistka.core.events import content_changed
from vistka.core.models import Translation
from vistka.site import fulltext
source = make_source()
hit = make_article(source, 1)
translation = Translation.objects.get(article=hit)
translation.title = "Drones hit the Ryazan refinery"
translation.save()
content_changed([hit.pk])  # the event keeps the stored search table in step
withdrawn = make_article(source, 4, title="Ryazan withdrawn")
withdrawn.status = "withdrawn"
withdrawn.save()
content_changed([withdrawn.pk], everywhere=True)
make_article(source, 2)
other = make_article(source, 3, body_html="<p>&lt;b&gt;Ryazan</p>")
hits, total = fulltext.search("ryazan", 10)
rebuilt = fulltext.rebuild()
again, _ = fulltext.search("ryazan", 10)
fulltext.RANKED_MATCHES = 1  # only the newest match is ranked; the older follow by date
newest_first, newest_total = fulltext.search("ryazan", 10)
second_page, _ = fulltext.search("ryazan", 1, offset=1)
from vistka.core.models import Article
from vistka.pipeline.publish.moderation import withdraw_articles
withdraw_articles(Article.objects.filter(pk=other.pk))
after_take_down = fulltext.search("ryazan", 10)[1]
print(json.dumps({"ids": [h.article_id for h in hits], "total": total, "expected": [hit.pk, other.pk],
                  "snippets": [str(h.snippet) for h in hits], "rebuilt": rebuilt,
                  "again": [h.article_id for h in again], "newest_first": [h.article_id for h in newest_first],
                  "newest_total": newest_total, "second_page": [h.article_id for h in second_page],
                  "after_take_down": after_take_down}))
"""


def test_postgres_full_text_search():
    pytest.importorskip("psycopg")
    with fresh_postgres_database() as database_url:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vistka.config.settings", "VISTKA_DATABASE_URL": database_url,
               "VISTKA_DATA_DIR": os.environ["VISTKA_DATA_DIR"]}
        done = subprocess.run([sys.executable, "-c", POSTGRES_SCRIPT], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["total"] == 2 and result["ids"] == result["expected"]  # title match ranks first
    assert "<mark>Ryazan</mark>" in result["snippets"][0] and "&lt;b&gt;" in result["snippets"][1]
    assert result["rebuilt"] == 3 and result["again"] == result["expected"]
    # Past the ranked window, matches come by date: the newer body match now leads the older title match.
    assert result["newest_first"] == result["expected"][::-1] and result["newest_total"] == 2
    assert result["second_page"] == [result["expected"][0]]
    assert result["after_take_down"] == 1  # a bulk take-down leaves the stored search table too
