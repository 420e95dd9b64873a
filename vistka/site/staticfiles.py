"""Static files with content-hashed names (cacheable for a year), falling back to plain names before
`collectstatic` has run, so tests and a fresh checkout work without a build step."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpRequest, HttpResponse
from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def url(self, name, force=False):
        if not self.hashed_files:
            return FileSystemStorage.url(self, name)
        try:
            return super().url(name, force)
        except (ValueError, FileNotFoundError):
            return FileSystemStorage.url(self, name)


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers fetch even where a page names no icon (the admin, the API docs)."""
    path = finders.find("site/favicon.ico")
    response = FileResponse(open(path, "rb"), content_type="image/x-icon")  # noqa: SIM115 (FileResponse closes it)
    response["Cache-Control"] = "public, max-age=86400"
    return response
