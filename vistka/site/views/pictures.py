"""/media/images/…: our copies of the outlets' pictures, each width made on its first request."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.static import serve

from vistka.core import pictures

log = logging.getLogger("vistka.site")


def picture(request: HttpRequest, path: str) -> HttpResponse:
    """A stored picture at one of its widths (made now from the kept original when nobody asked for
    it before). Names are content hashes, so a file never changes: browsers may keep it for a year."""
    try:
        found = pictures.width_file(settings.MEDIA_ROOT, path)
    except (pictures.PictureError, OSError, ValueError) as error:  # an original that cannot be read is a 404, logged
        log.warning("picture %s could not be made: %s", path, error)
        found = None
    if found is None:
        raise Http404("no such picture")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
