"""/media/images/: the site serves our pictures' widths, making each from the kept original on its first
request (vistka/site/views/pictures.py, vistka/core/pictures.py)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from vistka.core import pictures
from vistka.pipeline.extract.images import store_bytes


def jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_width_is_made_on_its_first_request_and_served_as_a_file_after(client, media, monkeypatch):
    stored = store_bytes(jpeg(1000, 800), media)
    address = f"/media/{stored.name.replace('-1000.jpg', '-640.jpg')}"
    first = client.get(address)
    assert first.status_code == 200 and first["Content-Type"] == "image/jpeg"
    assert first["Cache-Control"] == "public, max-age=31536000, immutable"  # content-addressed: never changes
    with Image.open(io.BytesIO(body(first))) as served:
        assert served.size == (640, 512)
    monkeypatch.setattr(pictures, "_made", lambda *args: pytest.fail("a width made twice"))
    second = client.get(address)
    assert second.status_code == 200 and body(second) == (media / address[7:]).read_bytes()
    assert client.get(address, HTTP_IF_MODIFIED_SINCE=second["Last-Modified"]).status_code == 304


def test_pictures_stored_before_originals_were_kept_are_still_served(client, media):
    legacy = media / "images" / "0123456789abcdef01234567-320.jpg"
    legacy.parent.mkdir()
    legacy.write_bytes(jpeg(320, 200))
    assert client.get("/media/images/0123456789abcdef01234567-320.jpg").status_code == 200
    assert client.get("/media/images/0123456789abcdef01234567-640.jpg").status_code == 404  # no original to make it
    (media / "images" / "0123456789abcdef01234567.jpg").write_bytes(jpeg(200, 100))  # from before the widths
    assert client.get("/media/images/0123456789abcdef01234567.jpg").status_code == 200
    assert client.get("/media/images/..").status_code == 404


def test_unknown_or_broken_pictures_are_not_found(client, media, caplog):
    stored = store_bytes(jpeg(400, 300), media)
    assert client.get(f"/media/{stored.name.replace('-400.jpg', '-640.jpg')}").status_code == 404  # never enlarged
    assert client.get("/media/images/notapicture.jpg").status_code == 404
    pictures.original_path(media, stored.name[7:31]).write_bytes(b"no longer a picture")
    assert client.get(f"/media/{stored.name.replace('-400.jpg', '-320.jpg')}").status_code == 404
    assert "could not be made" in caplog.text
