"""Shared plumbing for CLI commands: Django is set up lazily so `vistka --help` stays fast."""

from __future__ import annotations

import difflib
import os

import click

# `vistka manage` commands that work on the migrations themselves, or need no database: run as asked,
# with no migrate first.
RUN_WITHOUT_MIGRATE = frozenset({"migrate", "makemigrations", "showmigrations", "sqlmigrate", "squashmigrations",
                                "optimizemigration", "help", "version", "check", "diffsettings", "collectstatic"})


def setup_django(migrate: bool = True, require_schema: bool = False) -> None:
    """Configure Django from the environment; `migrate` brings the database schema up to date,
    `require_schema` (for processes that must not migrate, such as one of many workers) stops with
    the command to run when it is not."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vistka.config.settings")
    import django

    from vistka.config.options import SettingError

    try:
        django.setup()
    except SettingError as error:
        raise click.ClickException(f"bad setting {error}") from None
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)  # the shared rate-limit cache (a no-op with Redis)
    elif require_schema and unapplied_migrations():
        raise click.ClickException(
            f"the database has no or an old schema ({len(unapplied_migrations())} migration(s) not applied); "
            "run `vistka manage migrate` first")


def unapplied_migrations() -> list[str]:
    """The migrations the database lacks, as app.name."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def needs_migrate_first(args: list[str]) -> bool:
    """Whether `vistka manage ARGS` should bring the schema up to date before it runs."""
    command = next((arg for arg in args if not arg.startswith("-")), None)
    return command is not None and command not in RUN_WITHOUT_MIGRATE


def no_such(kind: str, given: str, known: list[str], see: str) -> click.ClickException:
    """The error for a name that matches nothing, with the closest known names as a suggestion:
    `no source named 'Svobda'; did you mean 'Svoboda'? (see `vistka sources list`)`."""
    by_folded = {name.casefold(): name for name in known}
    close = [by_folded[name] for name in difflib.get_close_matches(given.casefold(), list(by_folded), n=3, cutoff=0.5)]
    hint = f"; did you mean {' or '.join(repr(name) for name in close)}?" if close else ""
    return click.ClickException(f"no {kind} {given!r}{hint} ({see})")


def source_names() -> list[str]:
    from vistka.core.models import Source

    return list(Source.objects.values_list("name", flat=True))
