"""django-ninja's `export_openapi_schema`, still there now that ninja is not an installed app (apps.py)."""

from ninja.management.commands.export_openapi_schema import Command  # noqa: F401
