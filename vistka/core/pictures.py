"""Our picture store on disk: each picture's original as fetched, and the widths the site shows, each
made from the original the first time somebody asks for it.

    MEDIA_ROOT/originals/<content hash>      the bytes the outlet sent, kept (never served: their
                                             metadata, EXIF positions included, stays with us)
    MEDIA_ROOT/images/<content hash>-<w>.jpg one JPEG per width in WIDTHS below the picture's own
                                             width, plus its own width when smaller than the
                                             largest (a stored image's `name` is the largest file)

Ingest (pipeline/extract/images.py) only recognises a picture and keeps its original: resizing
every picture to four widths at once was most of an article's cost, and most widths of most
pictures are never asked for. The site serves a width's file, making it here on its first request
(`width_file`). Names are content hashes: one picture reached through two addresses is stored once.
Pictures stored before originals were kept have all their widths made already.
"""

from __future__ import annotations

import io
import os
import re
import threading
from pathlib import Path

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

# The widths the layout shows a picture at, in pixels: a card thumbnail (120 CSS px at 2x), a phone,
# the article column (46rem = 736 CSS px) at 1x, and the column on a high-density screen.
# Changing them changes the names of new files only; stored names keep the widths they were made with.
WIDTHS = (320, 640, 960, 1280)
MAX_WIDTH = WIDTHS[-1]
MAX_SOURCE_PIXELS = 40_000_000  # refuse decompression bombs before decoding them
WEB_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "AVIF")  # those this Pillow reads; never SVG (it can hold scripts)
JPEG_QUALITY = 82
ORIGINALS = "originals"
_WIDTH_NAME = re.compile(r"^images/([0-9a-f]{24})-(\d+)\.jpg$")
_SERVED_NAME = re.compile(r"^images/[\w-][\w.-]*(?<!\.tmp)$")  # one file straight under images/, never one being written
_ROTATED = {5, 6, 7, 8}  # EXIF orientations that turn the picture a quarter: width and height swap


class PictureError(Exception):
    """The bytes are not a picture this store keeps (not an image, too large, unreadable)."""


def srcset(name: str, width: int | None) -> str:
    """The srcset of a stored image from its name and width ('' for names from before the widths)."""
    match = _WIDTH_NAME.match(name or "")
    if not match or not width:
        return ""
    return ", ".join(f"/media/images/{match.group(1)}-{each}.jpg {each}w" for each in variant_widths(width))


def variant_widths(width: int) -> list[int]:
    """The widths shown of a picture whose largest file is `width` pixels wide (never enlarged)."""
    return [each for each in WIDTHS if each < width] + [width]


def shown_size(width: int, height: int, at: int = MAX_WIDTH) -> tuple[int, int]:
    """A picture of width x height (upright) shrunk to `at` pixels wide, never enlarged."""
    if width <= at:
        return width, height
    return at, max(1, round(height * at / width))


def open_picture(content_or_path: bytes | Path, label: str = "image") -> Image.Image:
    """Pillow's lazy image (the header read, nothing decoded), refusing what is no web picture and
    decompression bombs; PictureError says why."""
    source = io.BytesIO(content_or_path) if isinstance(content_or_path, bytes) else content_or_path
    try:
        Image.init()
        image = Image.open(source, formats=[name for name in WEB_FORMATS if name in Image.OPEN])
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise PictureError(f"{label} is not a readable image: {error}") from None
    if image.width * image.height > MAX_SOURCE_PIXELS:
        raise PictureError(f"{label} is {image.width}x{image.height} pixels, too large to decode")
    return image


def upright_size(image: Image.Image) -> tuple[int, int]:
    """The picture's size as shown: turned as its EXIF orientation says (read from the header)."""
    try:
        turned = image.getexif().get(ExifTags.Base.Orientation) in _ROTATED
    except Exception:  # noqa: BLE001 - a broken EXIF block is no orientation, as exif_transpose treats it
        turned = False
    return (image.height, image.width) if turned else (image.width, image.height)


def original_path(media_root: Path, digest: str) -> Path:
    return Path(media_root) / ORIGINALS / digest


def keep_original(media_root: Path, digest: str, content: bytes) -> None:
    """Write a picture's original bytes once (a whole file or none)."""
    target = original_path(media_root, digest)
    if not target.exists():
        with replacing(target) as temporary:
            temporary.write_bytes(content)


def is_stored(media_root: Path, name: str) -> bool:
    """Whether the picture whose largest file is `name` can be shown: its original kept, or (stored
    before originals were kept) the file itself."""
    match = _WIDTH_NAME.match(name or "")
    return bool(match) and (original_path(media_root, match.group(1)).exists() or (Path(media_root) / name).exists())


_making: dict[str, threading.Lock] = {}
_making_lock = threading.Lock()


def width_file(media_root: Path, name: str) -> Path | None:
    """The file of `name` (images/<hash>-<width>.jpg), made from the original when it is not there yet;
    None when no such width of a kept picture exists. Threads of one process make a width once;
    processes may both make it, and one whole file replaces the other."""
    media_root = Path(media_root)
    if not _SERVED_NAME.match(name):
        return None
    target = media_root / name
    if target.is_file():  # made already, or stored before widths were made on request
        return target
    match = _WIDTH_NAME.match(name)
    if not match:
        return None
    with _making_lock:
        lock = _making.setdefault(name, threading.Lock())
    with lock:
        try:
            if not target.exists():
                original = original_path(media_root, match.group(1))
                if not original.exists():
                    return None
                picture = _made(original, int(match.group(2)))
                if picture is None:
                    return None
                write_jpeg(picture, target)
        finally:
            with _making_lock:
                _making.pop(name, None)
    return target


def _made(original: Path, width: int) -> Image.Image | None:
    """The original at `width` pixels, if that is one of its widths."""
    with open_picture(original, str(original)) as image:
        upright = upright_size(image)
        largest = shown_size(*upright)
        if width not in variant_widths(largest[0]):
            return None
        size = shown_size(*upright, at=width)
        if image.format == "JPEG":  # decode at the smallest scale that still covers the width: fast, little memory
            image.draft("RGB", size if upright == (image.width, image.height) else size[::-1])
        shown = flattened(ImageOps.exif_transpose(image))
    return shown if shown.size == size else shown.resize(size, Image.Resampling.LANCZOS)


def flattened(image: Image.Image) -> Image.Image:
    """RGB for JPEG; transparent parts become white (dropping alpha alone would turn them black)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def write_jpeg(image: Image.Image, target: Path) -> None:
    with replacing(target) as temporary:
        # Progressive: libjpeg already optimises its Huffman tables, so optimize=True only doubled the
        # time for the very same bytes.
        image.save(temporary, "JPEG", quality=JPEG_QUALITY, progressive=True)


class replacing:  # noqa: N801 - used as a statement: `with replacing(path) as temporary`
    """Write to a temporary file of this process and thread, then move it into place: readers and
    other workers see a whole file or none."""

    def __init__(self, target: Path):
        self.target = Path(target)
        self.temporary = self.target.with_name(f"{self.target.name}.{os.getpid()}-{threading.get_ident()}.tmp")

    def __enter__(self) -> Path:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        return self.temporary

    def __exit__(self, failed, *_exc) -> None:
        if failed:
            self.temporary.unlink(missing_ok=True)
        else:
            self.temporary.replace(self.target)
