"""PostgreSQL: the search table keeps each article's publication time, so that a search can find the
newest matches without reading (or joining) the articles themselves."""

from django.db import migrations

ADD = [
    "ALTER TABLE site_search_pg ADD COLUMN IF NOT EXISTS published_at timestamptz",
    "UPDATE site_search_pg s SET published_at = a.published_at FROM core_article a WHERE a.id = s.article_id",
]


def add_dates(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in ADD:
        schema_editor.execute(statement)


def drop_dates(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE site_search_pg DROP COLUMN IF EXISTS published_at")


class Migration(migrations.Migration):
    dependencies = [("site_pages", "0002_postgres_search")]
    operations = [migrations.RunPython(add_dates, drop_dates)]
