"""Shared plumbing for CLI commands: Django is set up lazily so `vistka --help` stays fast."""

from __future__ import annotations

import os

import click


def setup_django(migrate: bool = True) -> None:
    """Configure Django from the environment and bring the database schema up to date."""
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
