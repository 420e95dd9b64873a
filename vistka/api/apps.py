"""django-ninja's templates and static files (the API's documentation page) without importing ninja.

Listing "ninja" in INSTALLED_APPS made every process import the whole package at start-up (pydantic
models, the API machinery: ~23 MB of resident memory) only so that Django would find its templates,
static files and management command in its folder. Processes that never serve the API — the
pipeline's writer and extraction processes, workers — paid it for nothing. This app points Django at
the same folder, under the same label, and ninja is imported where the API is used (vistka/api/api.py,
through the URLs).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from django.apps import AppConfig


def _ninja_folder() -> str:
    spec = importlib.util.find_spec("ninja")  # finds the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("django-ninja is not installed")
    return str(Path(next(iter(spec.submodule_search_locations))))


class NinjaAssets(AppConfig):
    name = "vistka.api"
    label = "ninja"  # as before: the templates live under ninja/, the static files under static/ninja/
    verbose_name = "django-ninja (templates and static files)"
    path = _ninja_folder()
