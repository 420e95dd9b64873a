"""Static files with content-hashed names (cacheable for a year), falling back to plain names before
`collectstatic` has run, so tests and a fresh checkout work without a build step."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage
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
