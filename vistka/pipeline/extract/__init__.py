"""Extract stage: one article page → title, metadata and a clean body (docs/extraction.md).

article.py chooses each field: decode.py (charset → tree) → figures.py (lazy-loaded pictures, captions) →
readalso.py → the outlet's rule (rules.py, the table in vistka/rules) → structured.py (JSON-LD,
OpenGraph) → fallback.py (trafilatura, htmldate) → the feed entry; the body is chosen on evidence by
candidates.py, cleaned by body.py, and sanitize.py (nh3) runs last. images.py fetches and stores
pictures in widths; figures.localise_images points the body at our copies.
"""

from vistka.pipeline.extract.article import Extracted, ExtractionError, extract_article
from vistka.pipeline.extract.images import ImageError, StoredImage, srcset, store_image
from vistka.pipeline.extract.sanitize import sanitize_html

__all__ = ["ExtractionError", "Extracted", "ImageError", "StoredImage", "extract_article", "sanitize_html",
           "srcset", "store_image"]
