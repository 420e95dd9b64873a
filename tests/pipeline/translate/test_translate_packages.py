"""Translation package management: install (local and from the index), list, remove (no Django needed).

Downloads go to a local HTTP server serving a fake Argos index and the tiny package, so the
streaming, progress bar and checksum code runs for real without the internet.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from tests.http_servers import LocalServer, reply
from vistka.pipeline.translate.packages import (
    PackageDownloadError,
    PackageError,
    find_package,
    install_package,
    list_packages,
    read_metadata,
    remove_package,
)


@pytest.fixture(scope="session")
def tiny_folder(tiny_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny package unpacked: a folder holding translate-uk_en-1_0/."""
    parent = tmp_path_factory.mktemp("tiny-unpacked")
    with zipfile.ZipFile(tiny_package) as bundle:
        bundle.extractall(parent)
    return next(parent.iterdir())


def copy_of(folder: Path, destination: Path) -> Path:
    return Path(shutil.copytree(folder, destination / folder.name))


def index_entry(url: str, *, version: str = "1.0", **extra: object) -> dict:
    return {"package_version": version, "argos_version": "1.9", "from_code": "uk", "from_name": "Ukrainian",
            "to_code": "en", "to_name": "English", "links": [url], "code": "translate-uk_en", **extra}


def serve_index(entries: list[dict], package: bytes) -> LocalServer:
    return LocalServer({
        "/index.json": reply(200, json.dumps(entries).encode(), {"Content-Type": "application/json"}),
        "/translate-uk_en-1_0.argosmodel": reply(200, package),
    })


# --- local installs ------------------------------------------------------------------------------


def test_install_from_zip(tmp_path: Path, tiny_package: Path) -> None:
    installed = install_package("uk", "en", tmp_path, from_path=tiny_package, progress=False)

    assert installed == tmp_path / "uk_en"
    assert (installed / "model" / "model.bin").is_file() and (installed / "sentencepiece.model").is_file()
    assert read_metadata(installed)["from_code"] == "uk"
    assert find_package("uk", "en", tmp_path) == installed
    assert [path.name for path in tmp_path.iterdir()] == ["uk_en"]  # no temporary folders left


@pytest.mark.parametrize("level", ["package folder", "parent folder"])
def test_install_from_folder(tmp_path: Path, tiny_folder: Path, level: str) -> None:
    source = tiny_folder if level == "package folder" else tiny_folder.parent
    installed = install_package("uk-UA", "EN", tmp_path / "packages", from_path=source)
    assert installed == tmp_path / "packages" / "uk_en"
    assert (installed / "metadata.json").is_file()


def _wrong_pair(root: Path) -> None:
    metadata = json.loads((root / "metadata.json").read_text())
    (root / "metadata.json").write_text(json.dumps({**metadata, "to_code": "de"}))


@pytest.mark.parametrize(("damage", "message"), [
    (_wrong_pair, "translates uk→de, not uk→en"),
    (lambda root: (root / "model" / "model.bin").unlink(), "model/model.bin is missing"),
    (lambda root: (root / "sentencepiece.model").rename(root / "bpe.model"), "BPE tokenizer"),
    (lambda root: (root / "metadata.json").write_text("{oops"), "metadata.json cannot be read"),
    (lambda root: (root / "metadata.json").unlink(), "not an Argos package"),
])
def test_invalid_package_is_rejected_and_leaves_nothing(tmp_path: Path, tiny_folder: Path, damage, message) -> None:
    broken = copy_of(tiny_folder, tmp_path / "broken")
    damage(broken)
    archive = Path(shutil.make_archive(str(tmp_path / "broken-package"), "zip", tmp_path / "broken"))
    packages = tmp_path / "packages"

    for source in (broken, archive):
        with pytest.raises(PackageError, match=message):
            install_package("uk", "en", packages, from_path=source)
        assert list(packages.iterdir()) == []


@pytest.mark.parametrize(("content", "message"), [
    (b"plain text, not a zip", "neither a package folder nor a .argosmodel"),
    (None, "damaged archive"),
])
def test_non_archive_is_rejected(tmp_path: Path, tiny_package: Path, content: bytes | None, message: str) -> None:
    bad = tmp_path / "bad.argosmodel"
    bad.write_bytes(content if content is not None else _corrupt(tiny_package.read_bytes()))
    with pytest.raises(PackageError, match=message):
        install_package("uk", "en", tmp_path / "packages", from_path=bad)
    assert list((tmp_path / "packages").iterdir()) == []


def _corrupt(data: bytes) -> bytes:
    # Flip bytes in the middle of the first member's compressed data: the zip directory stays valid.
    middle = len(data) // 3
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle:middle + 200]) + data[middle + 200:]


def test_zip_slip_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "evil.argosmodel"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("pkg/metadata.json", "{}")
        bundle.writestr("../../outside.txt", "gotcha")
    with pytest.raises(PackageError, match="unsafe path"):
        install_package("uk", "en", tmp_path / "packages", from_path=archive)
    assert not (tmp_path / "outside.txt").exists()


def test_failed_reinstall_keeps_the_installed_version(tmp_path: Path, tiny_package: Path) -> None:
    installed = install_package("uk", "en", tmp_path, from_path=tiny_package)
    bad = tmp_path / "bad.argosmodel"
    bad.write_bytes(b"junk")
    with pytest.raises(PackageError):
        install_package("uk", "en", tmp_path, from_path=bad)
    assert (installed / "model" / "model.bin").is_file()


def test_reinstall_replaces_the_package(tmp_path: Path, tiny_folder: Path) -> None:
    install_package("uk", "en", tmp_path / "packages", from_path=tiny_folder)
    newer = copy_of(tiny_folder, tmp_path / "newer")
    metadata = json.loads((newer / "metadata.json").read_text())
    (newer / "metadata.json").write_text(json.dumps({**metadata, "package_version": "2.0"}))

    install_package("uk", "en", tmp_path / "packages", from_path=newer)

    assert [info.version for info in list_packages(tmp_path / "packages")] == ["2.0"]
    assert [path.name for path in (tmp_path / "packages").iterdir()] == ["uk_en"]


def test_list_and_remove(tmp_path: Path, tiny_package: Path) -> None:
    installed = install_package("uk", "en", tmp_path, from_path=tiny_package)

    [info] = list_packages(tmp_path)
    assert (info.source, info.target, info.version, info.path) == ("uk", "en", "1.0", installed)
    assert info.size > 100_000

    assert remove_package("uk", "en", tmp_path) == installed
    assert list_packages(tmp_path) == [] and list(tmp_path.iterdir()) == []
    assert find_package("uk", "en", tmp_path) is None
    with pytest.raises(PackageError, match="no uk→en package is installed"):
        remove_package("uk", "en", tmp_path)


def test_hand_unpacked_argos_folder_is_found(tmp_path: Path, tiny_folder: Path) -> None:
    unpacked = copy_of(tiny_folder, tmp_path)  # translate-uk_en-1_0/, as Argos itself installs it
    assert find_package("uk", "en", tmp_path) == unpacked
    assert list_packages(tmp_path / "missing") == []


# --- installs from the package index -------------------------------------------------------------


def test_unreachable_index_fails_fast_with_a_clear_error(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(PackageDownloadError, match=r"^cannot reach the Argos package index \(offline\?\): "):
        install_package("uk", "en", tmp_path, index_url="http://127.0.0.1:9/index.json", progress=False)
    assert time.monotonic() - started < 5
    assert list(tmp_path.iterdir()) == []


def test_install_from_the_index_downloads_verifies_and_installs(tmp_path: Path, tiny_package: Path, capsys) -> None:
    package = tiny_package.read_bytes()
    with serve_index([], package) as server:
        url = f"{server.base_url}/translate-uk_en-1_0.argosmodel"
        server.routes["/index.json"] = reply(200, json.dumps([
            index_entry(f"{server.base_url}/gone.argosmodel", version="0.9"),
            index_entry("ipfs://Qm123", sha256=hashlib.sha256(package).hexdigest()) | {"links": ["ipfs://Qm1", url]},
            {**index_entry(url), "to_code": "de"},
        ]).encode())

        installed = install_package("uk", "en", tmp_path, index_url=f"{server.base_url}/index.json")

    assert installed == tmp_path / "uk_en" and (installed / "model" / "model.bin").is_file()
    assert [path for path, _ in server.requests] == ["/index.json", "/translate-uk_en-1_0.argosmodel"]
    assert "translate-uk_en-1_0.argosmodel" in capsys.readouterr().err  # the tqdm progress bar
    assert [path.name for path in tmp_path.iterdir()] == ["uk_en"]


def test_checksum_mismatch_installs_nothing(tmp_path: Path, tiny_package: Path) -> None:
    with serve_index([], tiny_package.read_bytes()) as server:
        url = f"{server.base_url}/translate-uk_en-1_0.argosmodel"
        server.routes["/index.json"] = reply(200, json.dumps([index_entry(url, checksum="sha256:" + "0" * 64)]).encode())
        with pytest.raises(PackageDownloadError, match="checksum mismatch"):
            install_package("uk", "en", tmp_path, index_url=f"{server.base_url}/index.json", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_index_errors_are_explained(tmp_path: Path, tiny_package: Path) -> None:
    with serve_index([], tiny_package.read_bytes()) as server:
        index_url = f"{server.base_url}/index.json"
        server.routes["/index.json"] = reply(200, json.dumps([index_entry(f"{server.base_url}/404")]).encode())
        with pytest.raises(PackageError, match="has no uk→fr package; from uk it offers: en"):
            install_package("uk", "fr", tmp_path, index_url=index_url)
        with pytest.raises(PackageDownloadError, match="HTTP 404"):
            install_package("uk", "en", tmp_path, index_url=index_url, progress=False)
        server.routes["/index.json"] = reply(200, b"<html>maintenance</html>")
        with pytest.raises(PackageDownloadError, match="not valid JSON"):
            install_package("uk", "en", tmp_path, index_url=index_url)
        with pytest.raises(PackageDownloadError, match="answered HTTP 404"):
            install_package("uk", "en", tmp_path, index_url=f"{server.base_url}/no-index.json")
    assert list(tmp_path.iterdir()) == []
