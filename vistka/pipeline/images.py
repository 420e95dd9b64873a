"""Lead images: downloaded once, resized, and served from our own site (readers never hit the outlet)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from vistka.pipeline.fetch import FetchError, FetchPolicy, fetch

MAX_WIDTH = 960
MAX_SOURCE_PIXELS = 40_000_000  # refuse decompression bombs before decoding them


@dataclass
class StoredImage:
    name: str  # relative to the media root
    width: int
    height: int


class ImageError(Exception):
    """The image could not be fetched or decoded."""


def store_lead_image(url: str, media_root: Path, policy: FetchPolicy) -> StoredImage:
    """Fetch url, shrink it to MAX_WIDTH, save as JPEG named by the URL's hash (so a re-run reuses it)."""
    name = f"images/{hashlib.sha256(url.encode()).hexdigest()[:24]}.jpg"
    target = media_root / name
    if target.exists():
        with Image.open(target) as existing:
            return StoredImage(name, *existing.size)
    try:
        content = fetch(url, policy, expect="image").content
    except FetchError as error:
        raise ImageError(str(error)) from None
    image = _decode(content, url)
    image.thumbnail((MAX_WIDTH, MAX_WIDTH * 2))
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    image.convert("RGB").save(temporary, "JPEG", quality=82, optimize=True, progressive=True)
    temporary.replace(target)
    return StoredImage(name, *image.size)


def _decode(content: bytes, url: str) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(content))
        if image.width * image.height > MAX_SOURCE_PIXELS:
            raise ImageError(f"{url} is {image.width}x{image.height} pixels, too large to decode")
        image.load()
        return image
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ImageError(f"{url} is not a readable image: {error}") from None
