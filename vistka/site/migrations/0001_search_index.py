"""The SQLite FTS5 search table (PostgreSQL searches the article tables directly)."""

import html

from django.db import migrations

CREATE = ("CREATE VIRTUAL TABLE IF NOT EXISTS site_search USING fts5("
          "title, body, tokenize = 'unicode61 remove_diacritics 2')")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(CREATE)
    # Articles published before this migration: index them once.
    Article = apps.get_model("core", "Article")
    Translation = apps.get_model("core", "Translation")
    from django.conf import settings
    from django.utils.html import strip_tags

    for article in Article.objects.filter(status="published"):
        translation = Translation.objects.filter(article=article, language=settings.SITE_LANGUAGE).first()
        title = " ".join(filter(None, [translation.title if translation else "", article.title]))
        bodies = [translation.lead, html.unescape(strip_tags(translation.body_html))] if translation else []
        body = " ".join(filter(None, [*bodies, article.lead, html.unescape(strip_tags(article.body_html))]))
        schema_editor.execute("INSERT INTO site_search(rowid, title, body) VALUES (%s, %s, %s)",
                              [article.pk, title, body])


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS site_search")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
