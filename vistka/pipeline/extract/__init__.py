"""Extract stage: one article page → title, metadata and a clean body (docs/extraction.md).

article.py chooses each field: decode.py (charset → tree) → figures.py (lazy-loaded pictures, captions) →
readalso.py → the outlet's rule (rules.py, the table in vistka/rules) → structured.py (JSON-LD,
OpenGraph) → fallback.py (trafilatura, htmldate) → the feed entry; the body is chosen on evidence by
candidates.py, cleaned by body.py, and sanitize.py (nh3) runs last. images.py fetches pictures and
keeps them (vistka/core/pictures.py); figures.localise_images points the body at our copies.

The names below are loaded on first use (PEP 562): the translation stage, which needs only
`sanitize_html`, does not load trafilatura and the rest of extraction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vistka.pipeline.extract.article import Extracted, ExtractionError, extract_article
    from vistka.pipeline.extract.images import ImageError, StoredImage, store_image
    from vistka.pipeline.extract.sanitize import sanitize_html

__all__ = ["ExtractionError", "Extracted", "ImageError", "StoredImage", "extract_article", "sanitize_html",
           "store_image"]


def __getattr__(name: str) -> Any:
    if name in ("Extracted", "ExtractionError", "extract_article"):
        from vistka.pipeline.extract import article

        return getattr(article, name)
    if name in ("ImageError", "StoredImage", "store_image"):
        from vistka.pipeline.extract import images

        return getattr(images, name)
    if name == "sanitize_html":
        from vistka.pipeline.extract import sanitize

        return sanitize.sanitize_html
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
