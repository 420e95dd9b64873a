"""Images: downloaded once, resized to the widths the site shows, and served from our own /media/.

Readers never load an image from an outlet (the site's CSP is `img-src 'self'`). Each image is
fetched through the fetcher's address guard and size limits, decoded by Pillow only when its pixel
count is sane (decompression bombs), recognised by its bytes (never by the Content-Type header),
and stored as JPEG under MEDIA_ROOT/images/ in a few widths:

    images/<content hash>-<width>.jpg      one file per width in WIDTHS below the image's own width,
                                           plus the image's own width when that is smaller than
                                           the largest (the largest file is the one `name` holds)

Files are named by their content, so one picture reached through two addresses is stored once; a
small index (MEDIA_ROOT/image-urls/, not served) maps each address already fetched to its files, so
a re-run or a second article with the same picture fetches nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from vistka.pipeline.fetch import FetchError, FetchPolicy, fetch

# The widths the layout shows an image at, in pixels: a card thumbnail (120 CSS px at 2x), a phone,
# the article column (46rem = 736 CSS px) at 1x, and the column on a high-density screen.
# Changing them changes the names of new files only; stored names keep the widths they were made with.
WIDTHS = (320, 640, 960, 1280)
MAX_SOURCE_PIXELS = 40_000_000  # refuse decompression bombs before decoding them
MIN_SIDE = 48  # smaller pictures are tracking pixels, spacers and icons, not article images
WEB_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "AVIF")  # those this Pillow reads; never SVG (it can hold scripts)
JPEG_QUALITY = 82
# `sizes` for an image shown across the article column (main: 46rem wide, 1rem padding each side).
ARTICLE_SIZES = "(min-width: 48rem) 46rem, calc(100vw - 2rem)"
_VARIANT_NAME = re.compile(r"^(images/[0-9a-f]{24})-(\d+)\.jpg$")
MAX_WIDTH = WIDTHS[-1]


@dataclass(frozen=True)
class StoredImage:
    name: str  # the largest file, relative to the media root
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


def srcset(name: str, width: int | None) -> str:
    """The srcset of a stored image from its name and width ('' for names from before the widths)."""
    match = _VARIANT_NAME.match(name or "")
    if not match or not width:
        return ""
    stem = match.group(1)
    return ", ".join(f"/media/{stem}-{each}.jpg {each}w" for each in variant_widths(width))


def variant_widths(width: int) -> list[int]:
    """The widths stored for an image `width` pixels wide after the first shrink (never enlarged)."""
    return [each for each in WIDTHS if each < width] + [width]


def store_image(url: str, media_root: Path, policy: FetchPolicy) -> StoredImage:
    """Fetch url (once: the index remembers it), store its widths, return the largest file."""
    media_root = Path(media_root)
    known = indexed(url, media_root)
    if known is not None:
        return known
    stored = store_bytes(fetch_picture(url, policy), media_root, url)
    remember(url, stored, media_root)
    return stored


def fetch_picture(url: str, policy: FetchPolicy) -> bytes:
    """The picture's bytes, through the fetcher's guard, limits and per-host limiter; ImageError if not."""
    try:
        return fetch(url, policy).content  # no `expect`: Pillow decides what the bytes are
    except FetchError as error:
        raise ImageError(str(error)) from None


def store_lead_image(url: str, media_root: Path, policy: FetchPolicy) -> StoredImage:
    """The article's lead picture: stored like every other image."""
    return store_image(url, media_root, policy)


def store_bytes(content: bytes, media_root: Path, label: str = "image") -> StoredImage:
    """Decode content (refusing bombs and non-images) and write its widths, unless already there."""
    stem = f"images/{hashlib.sha256(content).hexdigest()[:24]}"
    image = _decode(content, label)
    largest = _shrunk(image, MAX_WIDTH)
    stored = StoredImage(f"{stem}-{largest.width}.jpg", largest.width, largest.height)
    if (media_root / stored.name).exists():
        return stored  # the same picture, reached through another address
    widths = variant_widths(largest.width)
    variants = {largest.width: largest}
    for larger, width in zip(widths[:0:-1], widths[-2::-1], strict=True):
        # Each width from the next larger one, not from the largest: a third of the resampling work
        # for the same look (every step shrinks by at most 2x with the same filter).
        variants[width] = _shrunk(variants[larger], width)
    for width in widths:  # the largest last: its file marks completion (a half-written set is redone)
        _write_jpeg(variants[width], media_root / f"{stem}-{width}.jpg")
    return stored


def _decode(content: bytes, label: str) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(content), formats=_readable_formats())
        if image.width * image.height > MAX_SOURCE_PIXELS:
            raise ImageError(f"{label} is {image.width}x{image.height} pixels, too large to decode")
        if min(image.width, image.height) < MIN_SIDE:
            raise ImageError(f"{label} is {image.width}x{image.height} pixels: a decoration, not a picture")
        if image.format == "JPEG":  # decode at the smallest scale that still gives MAX_WIDTH (fast, less memory)
            image.draft("RGB", (MAX_WIDTH, max(1, MAX_WIDTH * image.height // image.width)))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ImageError(f"{label} is not a readable image: {error}") from None
    return _flattened(ImageOps.exif_transpose(image))


def _readable_formats() -> list[str]:
    Image.init()
    return [name for name in WEB_FORMATS if name in Image.OPEN]


def _flattened(image: Image.Image) -> Image.Image:
    """RGB for JPEG; transparent parts become white (dropping alpha alone would turn them black)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _shrunk(image: Image.Image, width: int) -> Image.Image:
    if image.width <= width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def _write_jpeg(image: Image.Image, target: Path) -> None:
    with _replacing(target) as temporary:
        # Progressive: libjpeg already optimises its Huffman tables, so optimize=True only doubled the
        # time for the very same bytes.
        image.save(temporary, "JPEG", quality=JPEG_QUALITY, progressive=True)


class _replacing:
    """Write to a temporary file of this process and thread, then move it into place: readers and
    other workers see a whole file or none."""

    def __init__(self, target: Path):
        self.target = target
        self.temporary = target.with_name(f"{target.name}.{os.getpid()}-{threading.get_ident()}.tmp")

    def __enter__(self) -> Path:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        return self.temporary

    def __exit__(self, failed, *_exc) -> None:
        if failed:
            self.temporary.unlink(missing_ok=True)
        else:
            self.temporary.replace(self.target)


def _index_path(url: str, media_root: Path) -> Path:
    return media_root / "image-urls" / f"{hashlib.sha256(url.encode()).hexdigest()[:32]}.json"


def indexed(url: str, media_root: Path) -> StoredImage | None:
    """The files already stored for this address, if any (the address is then never fetched again)."""
    path = _index_path(url, media_root)
    try:
        stored = StoredImage(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    return stored if (media_root / stored.name).exists() else None


def remember(url: str, stored: StoredImage, media_root: Path) -> None:
    with _replacing(_index_path(url, media_root)) as temporary:
        temporary.write_text(json.dumps(asdict(stored)))
