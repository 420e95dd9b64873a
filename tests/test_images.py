"""Lead images: fetched once, shrunk, stored under our media root with their size."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.http_servers import LocalServer, reply
from vistka.pipeline.fetch import FetchPolicy
from vistka.pipeline.images import MAX_WIDTH, ImageError, store_lead_image


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_large_image_is_resized_stored_once_and_reused(tmp_path):
    routes = {"/big.png": reply(200, png(2000, 1000), {"Content-Type": "image/png"}),
              "/notimage": reply(200, b"<html>nope</html>", {"Content-Type": "text/html"})}
    policy = FetchPolicy(allow_hosts=["127.0.0.1"])
    with LocalServer(routes) as server:
        stored = store_lead_image(f"{server.base_url}/big.png", tmp_path, policy)
        again = store_lead_image(f"{server.base_url}/big.png", tmp_path, policy)
        with pytest.raises(ImageError, match="not a readable image|not an image vistka can read"):
            store_lead_image(f"{server.base_url}/notimage", tmp_path, policy)
    assert (stored.width, stored.height) == (MAX_WIDTH, MAX_WIDTH // 2) and again == stored
    assert [path for path, _ in server.requests].count("/big.png") == 1  # the second call reused the file
    with Image.open(tmp_path / stored.name) as saved:
        assert saved.format == "JPEG" and saved.size == (stored.width, stored.height)
