"""Images: downloaded once, recognised by their bytes, kept as our own copy and served from /media/.

Readers never load an image from an outlet (the site's CSP is `img-src 'self'`). Each image is
fetched through the fetcher's address guard and size limits, recognised by its bytes (never by the
Content-Type header), refused when its pixel count is not sane (decompression bombs) or it cannot be
decoded, and its original kept in our picture store (vistka/core/pictures.py), whose widths the site
makes when they are first asked for:

    images/<content hash>-<width>.jpg      the name of the largest width (`StoredImage.name`); the
                                           srcset names the smaller ones

A small index (MEDIA_ROOT/image-urls/, not served) maps each address already fetched to its picture,
so a re-run or a second article with the same picture fetches nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image

from vistka.core import pictures
from vistka.core.pictures import srcset
from vistka.pipeline.fetch import FetchError, FetchPolicy, fetch

SVG_ENDINGS = (".svg", ".svgz")
MIN_SIDE = 48  # smaller pictures are tracking pixels, spacers and icons, not article images
# `sizes` for an image shown across the article column (main: 46rem wide, 1rem padding each side).
ARTICLE_SIZES = "(min-width: 48rem) 46rem, calc(100vw - 2rem)"


@dataclass(frozen=True)
class StoredImage:
    name: str  # the largest width's file, relative to the media root
    width: int
    height: int

    @property
    def url(self) -> str:
        return f"/media/{self.name}"

    @property
    def srcset(self) -> str:
        return srcset(self.name, self.width)


class ImageError(Exception):
    """The image could not be fetched, was refused, or could not be decoded."""


def store_image(url: str, media_root: Path, policy: FetchPolicy) -> StoredImage:
    """Fetch url (once: the index remembers it), keep the picture, return its largest width's name."""
    media_root = Path(media_root)
    known = indexed(url, media_root)
    if known is not None:
        return known
    stored = store_bytes(fetch_picture(url, policy), media_root, url)
    remember(url, stored, media_root)
    return stored


def fetch_picture(url: str, policy: FetchPolicy) -> bytes:
    """The picture's bytes, through the fetcher's guard, limits and per-host limiter; ImageError if not.
    An address that names an SVG file is refused unasked: an SVG is never kept (it can hold scripts;
    pictures.WEB_FORMATS), so fetching it would only cost the outlet and us a request."""
    if urlsplit(url).path.lower().endswith(SVG_ENDINGS):
        raise ImageError(f"{url} is an SVG drawing: never kept, so not fetched")
    try:
        return fetch(url, policy).content  # no `expect`: Pillow decides what the bytes are
    except FetchError as error:
        raise ImageError(str(error)) from None


def store_bytes(content: bytes, media_root: Path, label: str = "image") -> StoredImage:
    """Recognise content as a picture (refusing bombs, decorations, non-images and broken files) and
    keep its original; its widths are made when the site is first asked for them."""
    digest = hashlib.sha256(content).hexdigest()[:24]
    try:
        with pictures.open_picture(content, label) as image:
            width, height = pictures.upright_size(image)
            if min(width, height) < MIN_SIDE:
                raise ImageError(f"{label} is {width}x{height} pixels: a decoration, not a picture")
            _check_decodes(image)
    except pictures.PictureError as error:
        raise ImageError(str(error)) from None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise ImageError(f"{label} is not a readable image: {error}") from None
    pictures.keep_original(media_root, digest, content)
    largest_width, largest_height = pictures.shown_size(width, height)
    return StoredImage(f"images/{digest}-{largest_width}.jpg", largest_width, largest_height)


def _check_decodes(image: Image.Image) -> None:
    """Decode the picture once, as cheaply as its format allows, so that a truncated or corrupt file is
    refused now and not on a reader's page: a JPEG at an eighth of its size (every block is still
    read), other formats whole (PNG's and GIF's pictures are small, WebP's decoding is fast)."""
    if image.format == "JPEG":
        image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
    image.load()


def _index_path(url: str, media_root: Path) -> Path:
    return media_root / "image-urls" / f"{hashlib.sha256(url.encode()).hexdigest()[:32]}.json"


def indexed(url: str, media_root: Path) -> StoredImage | None:
    """The files already stored for this address, if any (the address is then never fetched again)."""
    path = _index_path(url, media_root)
    try:
        stored = StoredImage(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    return stored if pictures.is_stored(media_root, stored.name) else None


def remember(url: str, stored: StoredImage, media_root: Path) -> None:
    with pictures.replacing(_index_path(url, media_root)) as temporary:
        temporary.write_text(json.dumps(asdict(stored)))
