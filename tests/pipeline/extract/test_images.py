"""Images: fetched once through the fetch guard and limits, recognised by their bytes, kept, and made in\nthe site's widths when first asked for."""

from __future__ import annotations

import functools
import io
from pathlib import Path

import pytest
from PIL import Image

from tests.http_servers import LocalServer, reply
from vistka.core.pictures import MAX_WIDTH, WIDTHS, srcset, width_file
from vistka.pipeline.extract.images import ImageError, store_bytes, store_image
from vistka.pipeline.fetch import FetchPolicy

POLICY = FetchPolicy(allow_hosts=["127.0.0.1"])


def picture(width: int, height: int, kind: str = "PNG", mode: str = "RGB", color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color).save(buffer, kind)
    return buffer.getvalue()


def stored_files(media: Path) -> list[str]:
    return sorted(str(path.relative_to(media)) for folder in ("images", "originals")
                  for path in (media / folder).glob("*")) if media.exists() else []


def made(media: Path, name: str) -> Image.Image:
    path = width_file(media, name)
    assert path is not None and path == media / name
    with Image.open(path) as saved:
        saved.load()
    return saved


def test_large_image_is_kept_once_and_its_widths_made_when_asked_for(tmp_path):
    big = picture(2000, 1000)
    routes = {"/big.png": reply(200, big, {"Content-Type": "image/png"}),
              "/same-bytes-elsewhere": reply(200, big, {"Content-Type": "image/png"})}
    with LocalServer(routes) as server:
        stored = store_image(f"{server.base_url}/big.png", tmp_path, POLICY)
        again = store_image(f"{server.base_url}/big.png", tmp_path, POLICY)
        files = stored_files(tmp_path)
        twin = store_image(f"{server.base_url}/same-bytes-elsewhere", tmp_path, POLICY)
    assert (stored.width, stored.height) == (MAX_WIDTH, MAX_WIDTH // 2) and again == stored
    assert [path for path, _ in server.requests].count("/big.png") == 1  # the second call used the index
    assert twin == stored and stored_files(tmp_path) == files  # one picture, two addresses: stored once
    stem = stored.name.rsplit("-", 1)[0]
    assert files == [f"originals/{stem.removeprefix('images/')}"]  # the original only: no width made yet
    assert (tmp_path / files[0]).read_bytes() == big
    for width in WIDTHS:
        saved = made(tmp_path, f"{stem}-{width}.jpg")
        assert saved.format == "JPEG" and saved.size == (width, width // 2)
    assert stored_files(tmp_path) == sorted(files + [f"{stem}-{width}.jpg" for width in WIDTHS])
    assert stored.srcset == ", ".join(f"/media/{stem}-{width}.jpg {width}w" for width in WIDTHS)
    assert stored.url == f"/media/{stored.name}"


def test_only_the_widths_of_a_kept_picture_are_made(tmp_path):
    stored = store_bytes(picture(700, 350, "JPEG"), tmp_path)
    stem = stored.name.rsplit("-", 1)[0]
    assert width_file(tmp_path, f"{stem}-960.jpg") is None  # wider than the picture: never enlarged
    assert width_file(tmp_path, f"{stem}-500.jpg") is None  # not a width the site shows
    assert width_file(tmp_path, "images/0123456789abcdef01234567-320.jpg") is None  # no such picture
    assert width_file(tmp_path, "../originals/x") is None
    assert made(tmp_path, f"{stem}-700.jpg").size == (700, 350)


def test_a_width_whose_writing_failed_is_made_on_the_next_request(tmp_path, monkeypatch):
    """A full disk or a killed worker leaves no half-written width behind; the next request makes it."""
    from vistka.core import pictures

    stored = store_bytes(picture(1500, 1000, "JPEG"), tmp_path)
    name = stored.name.replace(f"-{stored.width}.jpg", "-320.jpg")

    def no_space(image, target):
        with pictures.replacing(target) as temporary:
            temporary.write_bytes(b"half a jp")
            raise OSError("no space left on device")

    monkeypatch.setattr(pictures, "write_jpeg", no_space)
    with pytest.raises(OSError):
        width_file(tmp_path, name)
    assert stored_files(tmp_path) == [f"originals/{name[7:31]}"]
    monkeypatch.undo()
    assert made(tmp_path, name).size == (320, 213)


def test_a_picture_turned_by_its_exif_orientation_is_shown_upright(tmp_path):
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # taken on its side: shown turned a quarter
    Image.new("RGB", (1600, 1200), (20, 90, 160)).save(buffer, "JPEG", exif=exif)
    stored = store_bytes(buffer.getvalue(), tmp_path)
    assert (stored.width, stored.height) == (1200, 1600)
    assert made(tmp_path, stored.name).size == (1200, 1600)
    assert made(tmp_path, stored.name.replace("-1200.jpg", "-320.jpg")).size == (320, 427)


def test_a_small_image_is_never_enlarged(tmp_path):
    stored = store_bytes(picture(700, 350, "JPEG"), tmp_path)
    assert (stored.width, stored.height) == (700, 350)
    assert srcset(stored.name, stored.width).split(", ") == [
        f"/media/{stored.name.rsplit('-', 1)[0]}-{width}.jpg {width}w" for width in (320, 640, 700)]
    assert srcset("images/0123456789abcdef01234567.jpg", 960) == ""  # stored before widths: src alone


def test_the_bytes_decide_not_the_content_type_header(tmp_path):
    routes = {"/photo": reply(200, picture(400, 300, "JPEG"), {"Content-Type": "text/plain"}),
              "/page.jpg": reply(200, b"<html><body>Not found</body></html>", {"Content-Type": "image/jpeg"})}
    with LocalServer(routes) as server:
        stored = store_image(f"{server.base_url}/photo", tmp_path, POLICY)
        with pytest.raises(ImageError, match="not a readable image"):
            store_image(f"{server.base_url}/page.jpg", tmp_path, POLICY)
    assert (stored.width, stored.height) == (400, 300)


def test_transparent_parts_become_white_not_black(tmp_path):
    stored = store_bytes(picture(100, 100, "PNG", "RGBA", (0, 0, 0, 0)), tmp_path)
    assert min(made(tmp_path, stored.name).getpixel((50, 50))) > 245


@functools.cache
def pixel_bomb() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, "PNG")  # 144 megapixels in a few kilobytes
    return buffer.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(("path", "reason"), [
    ("/missing.jpg", "HTTP 404"),
    ("/bomb.png", "too large to decode|not a readable image"),
    ("/huge.jpg", "byte limit"),
    ("/truncated.jpg", "not a readable image"),
    ("/pixel.gif", "a decoration"),
    ("/drawing", "not a readable image"),  # an SVG at an address that does not say so
    ("/drawing.svg", "an SVG drawing: never kept, so not fetched"),
    ("/to-private", "refused: 10.0.0.1"),
    ("/to-metadata", "refused: 169.254.169.254"),
])
def test_images_vistka_must_not_store_are_refused_with_a_reason(tmp_path, path, reason):
    jpeg = picture(800, 600, "JPEG")
    routes = {
        "/bomb.png": reply(200, pixel_bomb(), {"Content-Type": "image/png"}),
        "/huge.jpg": reply(200, jpeg + b"\0" * 300_000, {"Content-Type": "image/jpeg"}),
        "/truncated.jpg": reply(200, jpeg[: len(jpeg) // 3], {"Content-Type": "image/jpeg"}),
        "/pixel.gif": reply(200, picture(1, 1, "GIF"), {"Content-Type": "image/gif"}),
        "/drawing": reply(200, SVG, {"Content-Type": "image/svg+xml"}),
        "/drawing.svg": reply(200, SVG, {"Content-Type": "image/svg+xml"}),
        "/to-private": reply(302, b"", {"Location": "http://10.0.0.1/photo.jpg"}),
        "/to-metadata": reply(302, b"", {"Location": "http://169.254.169.254/latest/photo.jpg"}),
    }
    policy = FetchPolicy(allow_hosts=["127.0.0.1"], max_body_bytes=200_000)
    with LocalServer(routes) as server, pytest.raises(ImageError, match=reason):
        store_image(f"{server.base_url}{path}", tmp_path, policy)
    assert stored_files(tmp_path) == []
    if path.endswith(".svg"):
        assert server.requests == []
