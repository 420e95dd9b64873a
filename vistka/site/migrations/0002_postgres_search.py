"""PostgreSQL: a stored, GIN-indexed search table, kept in step like SQLite's FTS5 table.

Building the text vectors at query time read every article on every search (seconds at 100,000
articles, `make bench-scale`); stored, a search reads only the index.
"""

from django.db import migrations

PG_TABLE = "site_search_pg"
# The indexing statement as it was when this migration was written (later ones extend the table).
PG_UPSERT_SQL = """
INSERT INTO site_search_pg (article_id, title, body, doc)
SELECT id, title, body, setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B')
FROM (
  SELECT a.id, concat_ws(' ', t.title, a.title) AS title,
         regexp_replace(concat_ws(' ', t.lead, t.body_html, a.lead, a.body_html), '<[^>]+>', ' ', 'g') AS body
  FROM core_article a
  LEFT JOIN core_translation t ON t.article_id = a.id AND t.language = %(language)s
  WHERE {where}
) AS docs
ON CONFLICT (article_id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, doc = EXCLUDED.doc
"""

CREATE = [
    f"CREATE TABLE IF NOT EXISTS {PG_TABLE} ("
    " article_id bigint PRIMARY KEY REFERENCES core_article(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,"
    " title text NOT NULL, body text NOT NULL, doc tsvector NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {PG_TABLE}_doc ON {PG_TABLE} USING GIN (doc)",
]


def create_table(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.conf import settings

    for statement in CREATE:
        schema_editor.execute(statement)
    schema_editor.execute(PG_UPSERT_SQL.format(where="a.status = 'published'"), {"language": settings.SITE_LANGUAGE})


def drop_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TABLE IF EXISTS {PG_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("site_pages", "0001_search_index"), ("core", "0007_stories")]
    operations = [migrations.RunPython(create_table, drop_table)]
