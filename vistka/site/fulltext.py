"""Full-text search over published articles, in the site language and the original.

SQLite (the embedded default): an FTS5 table, `site_search`, kept in step by `vistka.site.changes` (it follows the content_changed event).
PostgreSQL: a table `site_search_pg` with a stored, GIN-indexed tsvector, kept in step the same way,
queried with `websearch_to_tsquery`; the newest RANKED_MATCHES matches are ranked with `ts_rank_cd`.
Both return ranked hits with a snippet whose matches are wrapped in <mark>; everything else in the
snippet is escaped, so a stored article can never inject markup through search.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from vistka.core.models import Article, ArticleStatus
from vistka.core.plaintext import tags_stripped

FTS_TABLE = "site_search"
PG_TABLE = "site_search_pg"
# Title and body as plain text (translation first), and the weighted vector, for articles matching {where}.
PG_UPSERT_SQL = """
INSERT INTO site_search_pg (article_id, title, body, doc, published_at)
SELECT id, title, body, setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B'),
       published_at
FROM (
  SELECT a.id, a.published_at, concat_ws(' ', t.title, a.title) AS title,
         regexp_replace(concat_ws(' ', t.lead, t.body_html, a.lead, a.body_html), '<[^>]+>', ' ', 'g') AS body
  FROM core_article a
  LEFT JOIN core_translation t ON t.article_id = a.id AND t.language = %(language)s
  WHERE {where}
) AS docs
ON CONFLICT (article_id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, doc = EXCLUDED.doc,
                                       published_at = EXCLUDED.published_at
"""
# The published article's (title, lead, body_html), then its site-language translation's (NULLs when none).
SQLITE_TEXTS_SQL = """
SELECT a.title, a.lead, a.body_html, t.title, t.lead, t.body_html
FROM core_article a LEFT JOIN core_translation t ON t.article_id = a.id AND t.language = %s
WHERE a.id = %s AND a.status = %s
"""
# Private-use characters mark matches inside the database; they cannot occur in article text.
OPEN, CLOSE = "\ue000", "\ue001"
MAX_QUERY_WORDS = 12


@dataclass
class Hit:
    article_id: int
    snippet: SafeString


def search(query: str, limit: int, offset: int = 0) -> tuple[list[Hit], int]:
    """Best hits first, and the total number of matches."""
    words = re.findall(r"\w+", query)[:MAX_QUERY_WORDS]
    if not words:
        return [], 0
    if connection.vendor == "sqlite":
        return _search_sqlite(words, limit, offset)
    if connection.vendor == "postgresql":
        return _search_postgres(" ".join(words), limit, offset)
    raise NotImplementedError(f"full-text search is not available on {connection.vendor}")


def _texts(original: tuple[str, str, str], translated: tuple[str, str, str] | None) -> tuple[str, str]:
    titles = [translated[0] if translated else "", original[0]]
    bodies = [translated[1], _plain(translated[2])] if translated else []
    bodies += [original[1], _plain(original[2])]
    return " ".join(filter(None, titles)), " ".join(filter(None, bodies))


def _plain(body_html: str) -> str:
    return html.unescape(tags_stripped(body_html))


def reindex(*article_ids: int) -> None:
    """The articles' entries as they are stored now: in when published, out otherwise (or deleted)."""
    for article_id in article_ids:
        _reindex(article_id)


def _reindex(article_id: int) -> None:
    if connection.vendor == "postgresql":
        _reindex_postgres(article_id)
        return
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [article_id])
        # One query for the article and its translation (this runs on every save that changes text or status).
        cursor.execute(SQLITE_TEXTS_SQL, [settings.SITE_LANGUAGE, article_id, ArticleStatus.PUBLISHED])
        row = cursor.fetchone()
        if row is None:
            return
        title, body = _texts(row[:3], row[3:] if row[3] is not None else None)
        cursor.execute(f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (%s, %s, %s)", [article_id, title, body])


def _reindex_postgres(article_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PG_TABLE} WHERE article_id = %s", [article_id])
        cursor.execute(PG_UPSERT_SQL.format(where="a.id = %(id)s AND a.status = 'published'"),
                       {"language": settings.SITE_LANGUAGE, "id": article_id})


def rebuild() -> int:
    """Index every published article again (after a restore, or to repair the index)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {PG_TABLE}")
            cursor.execute(PG_UPSERT_SQL.format(where="a.status = 'published'"), {"language": settings.SITE_LANGUAGE})
            return cursor.rowcount
    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE}")
    ids = list(Article.objects.filter(status=ArticleStatus.PUBLISHED).values_list("pk", flat=True))
    reindex(*ids)
    return len(ids)


def _search_sqlite(words: list[str], limit: int, offset: int) -> tuple[list[Hit], int]:
    # Each word quoted: reader input is never FTS5 syntax; the last word also matches as a prefix.
    match = " ".join(f'"{word}"' for word in words[:-1]) + f' "{words[-1]}"*'
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])
        total = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT rowid, snippet({FTS_TABLE}, -1, %s, %s, '…', 32) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s ORDER BY bm25({FTS_TABLE}, 8.0, 1.0) LIMIT %s OFFSET %s",
            [OPEN, CLOSE, match, limit, offset],
        )
        return [Hit(row[0], highlight(row[1])) for row in cursor.fetchall()], total


# Every match is found (and counted) from the index and the table's dates; only the newest
# RANKED_MATCHES are ranked by relevance (ts_rank_cd reads each match's whole stored vector: ranking the
# 300-10,000 matches of a common word among a million articles took most of a search), and older
# matches follow them newest first. The page's hits alone get a snippet.
RANKED_MATCHES = 1000
POSTGRES_SQL = """
WITH query AS MATERIALIZED (SELECT websearch_to_tsquery('simple', %(query)s) AS q),
matches AS MATERIALIZED (
  SELECT s.article_id, count(*) OVER () AS total,
         row_number() OVER (ORDER BY s.published_at DESC NULLS LAST, s.article_id DESC) AS age
  FROM site_search_pg s, query
  WHERE s.doc @@ query.q
),
ranked AS (
  SELECT m.article_id, ts_rank_cd(s.doc, query.q) AS rank
  FROM matches m JOIN site_search_pg s USING (article_id), query
  WHERE m.age <= %(ranked)s
),
hits AS (
  SELECT m.article_id, m.total, m.age, r.rank
  FROM matches m LEFT JOIN ranked r USING (article_id)
  ORDER BY m.age > %(ranked)s, r.rank DESC, m.age
  LIMIT %(limit)s OFFSET %(offset)s
)
SELECT h.article_id, ts_headline('simple', s.title || ' — ' || s.body, query.q,
                                 'StartSel=' || %(open)s || ', StopSel=' || %(close)s || ', MaxWords=40, MinWords=15'),
       h.total
FROM hits h JOIN site_search_pg s USING (article_id), query
ORDER BY h.age > %(ranked)s, h.rank DESC, h.age
"""


def _search_postgres(query: str, limit: int, offset: int) -> tuple[list[Hit], int]:
    params = {"query": query, "open": OPEN, "close": CLOSE, "limit": limit, "offset": offset,
              "ranked": RANKED_MATCHES}
    with connection.cursor() as cursor:
        cursor.execute(POSTGRES_SQL, params)
        rows = cursor.fetchall()
    # Tags were stripped in SQL, but entities were not: decode them before highlight() escapes once.
    return [Hit(row[0], highlight(html.unescape(row[1]))) for row in rows], (rows[0][2] if rows else 0)


def highlight(snippet: str) -> SafeString:
    """Escape the snippet, then turn the match markers into <mark> elements."""
    return mark_safe(escape(snippet).replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))
