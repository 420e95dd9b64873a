"""The shared rate-limit cache's table (VISTKA_CACHE_URL empty: Django's database cache).

`createcachetable` creates the table of every database cache in the settings and skips existing
ones, so this is a no-op with Redis, and `vistka` commands run it again at start-up in case the
cache setting changed since (vistka.cli.base.setup_django).
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0009_site_indexes")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=True)]
