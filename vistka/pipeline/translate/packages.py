"""Install, list and remove Argos Translate packages (used by `vistka translate install|list|remove`).

A package is installed as packages_dir/<from>_<to>/ holding the package's own files (metadata.json,
model/, sentencepiece.model). Its `stanza/` folder is not kept: vistka splits sentences itself,
and Stanza data is a large part of every package.

Installs are atomic: the package is unpacked and validated in a hidden folder inside packages_dir
(same filesystem), then renamed into place, so a reader never sees half a package and a failed
install leaves the previous version untouched.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from .base import language_pair, normalize_language
from .ct2_conversions import ConversionError, is_ct2_conversion, wrap_ct2_conversion

ARGOS_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
_IGNORED_FOLDERS = {"stanza", "__MACOSX"}

logger = logging.getLogger(__name__)


class PackageError(Exception):
    """A package cannot be installed, found or removed; the message is for the operator."""


class PackageDownloadError(PackageError):
    """The package index or a package download cannot be reached or is corrupt."""


@dataclass(frozen=True)
class PackageInfo:
    source: str
    target: str
    version: str
    path: Path
    size: int  # bytes on disk


def read_metadata(package_dir: Path) -> dict[str, Any]:
    """The package's metadata.json; PackageError if it is missing or not a JSON object."""
    try:
        metadata = json.loads((package_dir / "metadata.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackageError(f"{package_dir} is not an Argos package: no metadata.json") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PackageError(f"{package_dir}/metadata.json cannot be read: {error}") from error
    if not isinstance(metadata, dict):
        raise PackageError(f"{package_dir}/metadata.json is not a JSON object")
    return metadata


def find_package(source: str, target: str, packages_dir: Path) -> Path | None:
    """The installed source→target package folder, or None."""
    source, target = normalize_language(source), normalize_language(target)
    standard = Path(packages_dir) / f"{source}_{target}"
    if (standard / "metadata.json").is_file():
        return standard
    # Also accept Argos folders unpacked by hand (e.g. translate-uk_en-1_9/).
    return next((folder for folder, metadata in _installed_folders(Path(packages_dir))
                 if _pair(metadata) == (source, target)), None)


def list_packages(packages_dir: Path) -> list[PackageInfo]:
    found = [_package_info(folder, metadata) for folder, metadata in _installed_folders(Path(packages_dir))]
    return sorted(found, key=lambda info: (info.source, info.target, info.path.name))


def remove_package(source: str, target: str, packages_dir: Path) -> Path:
    """Delete the installed source→target package; returns the folder it occupied."""
    package = find_package(source, target, packages_dir)
    if package is None:
        raise PackageError(f"no {language_pair(source, target)} package is installed in {packages_dir}")
    # Rename first so readers stop seeing the package at once, then delete at leisure.
    doomed = package.with_name(f".removing-{package.name}-{uuid.uuid4().hex[:8]}")
    package.rename(doomed)
    shutil.rmtree(doomed, ignore_errors=True)
    return package


def install_package(source: str, target: str, packages_dir: Path, *, from_path: Path | None = None,
                    index_url: str = ARGOS_INDEX_URL, progress: bool = True) -> Path:
    """Install a source→target package from a local .argosmodel/folder, or download it from the index."""
    source, target = normalize_language(source), normalize_language(target)
    packages_dir = Path(packages_dir)
    packages_dir.mkdir(parents=True, exist_ok=True)
    if from_path is not None and is_ct2_conversion(Path(from_path)):
        return _install_conversion(Path(from_path), source, target, packages_dir)
    if from_path is not None:
        return _install_local(Path(from_path), source, target, packages_dir)
    entry = _choose_index_entry(_fetch_index(index_url), source, target)
    with tempfile.TemporaryDirectory(prefix=".download-", dir=packages_dir) as work:
        archive = Path(work) / "package.argosmodel"
        _download_package(entry, archive, progress)
        return _install_local(archive, source, target, packages_dir)


def _install_conversion(folder: Path, source: str, target: str, packages_dir: Path) -> Path:
    """An OPUS-MT or NLLB model converted by CTranslate2 (no metadata.json): wrap it, then install."""
    with tempfile.TemporaryDirectory(prefix=".wrap-", dir=packages_dir) as work:
        try:
            wrapped = wrap_ct2_conversion(folder, source, target, Path(work) / "package")
        except ConversionError as error:
            raise PackageError(str(error)) from error
        return _install_local(wrapped, source, target, packages_dir)


def _installed_folders(packages_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    if not packages_dir.is_dir():
        return []
    found = []
    for folder in sorted(packages_dir.iterdir()):
        if folder.name.startswith(".") or not (folder / "metadata.json").is_file():
            continue  # hidden folders are installs or removals in progress
        try:
            found.append((folder, read_metadata(folder)))
        except PackageError as error:
            logger.warning("skipping broken translation package: %s", error)
    return found


def _pair(metadata: dict[str, Any]) -> tuple[str, str]:
    return (normalize_language(str(metadata.get("from_code", ""))),
            normalize_language(str(metadata.get("to_code", ""))))


def _package_info(folder: Path, metadata: dict[str, Any]) -> PackageInfo:
    size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    source, target = _pair(metadata)
    return PackageInfo(source=source, target=target, version=str(metadata.get("package_version", "")),
                       path=folder, size=size)


def _install_local(from_path: Path, source: str, target: str, packages_dir: Path) -> Path:
    if not from_path.exists():
        raise PackageError(f"{from_path} does not exist")
    staging = Path(tempfile.mkdtemp(prefix=".install-", dir=packages_dir))
    try:
        if from_path.is_dir():
            root = _locate_package_root(from_path)
            _validate_package(root, source, target)
            unpacked = staging / "package"
            shutil.copytree(root, unpacked, ignore=shutil.ignore_patterns(*_IGNORED_FOLDERS))
        else:
            _extract_archive(from_path, staging / "extracted")
            unpacked = _locate_package_root(staging / "extracted")
        _validate_package(unpacked, source, target)
        return _publish(unpacked, packages_dir / f"{source}_{target}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _extract_archive(archive: Path, destination: Path) -> None:
    if not zipfile.is_zipfile(archive):
        raise PackageError(f"{archive} is neither a package folder nor a .argosmodel (zip) archive")
    destination.mkdir()
    try:
        with zipfile.ZipFile(archive) as bundle:
            for member in bundle.infolist():
                if _IGNORED_FOLDERS & set(Path(member.filename).parts[:2]):
                    continue
                # Refuse "zip slip" entries that would write outside the destination.
                if not (destination / member.filename).resolve().is_relative_to(destination.resolve()):
                    raise PackageError(f"{archive} contains an unsafe path: {member.filename}")
                bundle.extract(member, destination)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise PackageError(f"{archive} is a damaged archive: {error}") from error


def _locate_package_root(folder: Path) -> Path:
    """The folder holding metadata.json: `folder` itself or its single top-level subfolder."""
    if (folder / "metadata.json").is_file():
        return folder
    candidates = [child for child in folder.iterdir() if (child / "metadata.json").is_file()]
    if len(candidates) != 1:
        raise PackageError(f"{folder.name}: not an Argos package "
                           f"(expected one folder with a metadata.json, found {len(candidates)})")
    return candidates[0]


def _validate_package(root: Path, source: str, target: str) -> None:
    found = _pair(read_metadata(root))
    if found != (source, target):
        raise PackageError(f"the package translates {found[0] or '?'}→{found[1] or '?'}, "
                           f"not {source}→{target}")
    if not (root / "model" / "model.bin").is_file():
        raise PackageError("the package has no CTranslate2 model (model/model.bin is missing)")
    if not any((root / "model").glob("*vocabulary*")):
        raise PackageError("the package model has no vocabulary file (model/*vocabulary*)")
    if not (root / "sentencepiece.model").is_file():
        detail = " (it uses a BPE tokenizer, which vistka does not support)" if (root / "bpe.model").exists() else ""
        raise PackageError(f"the package has no sentencepiece.model{detail}")


def _publish(unpacked: Path, final: Path) -> Path:
    # Two renames, because a directory cannot be renamed over a non-empty one.
    previous = final.with_name(f".old-{final.name}-{uuid.uuid4().hex[:8]}")
    if final.exists():
        final.rename(previous)
    unpacked.rename(final)
    shutil.rmtree(previous, ignore_errors=True)
    return final


def _fetch_index(index_url: str) -> list[dict[str, Any]]:
    try:
        response = httpx.get(index_url, timeout=_TIMEOUT, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPStatusError as error:
        raise PackageDownloadError(f"the Argos package index at {index_url} answered "
                                   f"HTTP {error.response.status_code}") from error
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        raise PackageDownloadError(f"cannot reach the Argos package index (offline?): "
                                   f"{index_url}: {error}") from error
    try:
        index = response.json()
    except ValueError as error:
        raise PackageDownloadError(f"the Argos package index at {index_url} is not valid JSON") from error
    if not isinstance(index, list):
        raise PackageDownloadError(f"the Argos package index at {index_url} is not a list of packages")
    return [entry for entry in index if isinstance(entry, dict)]


def _choose_index_entry(index: list[dict[str, Any]], source: str, target: str) -> dict[str, Any]:
    matches = [entry for entry in index
               if _pair(entry) == (source, target) and entry.get("type", "translate") == "translate"]
    if not matches:
        offered = sorted({_pair(entry)[1] for entry in index if _pair(entry)[0] == source})
        hint = f"; from {source} it offers: {', '.join(offered)}" if offered else ""
        raise PackageError(f"the Argos package index has no {source}→{target} package{hint}")
    return max(matches, key=lambda entry: _version_key(str(entry.get("package_version", ""))))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))


def _download_package(entry: dict[str, Any], destination: Path, progress: bool) -> None:
    links = [link for link in entry.get("links", []) if str(link).startswith(("http://", "https://"))]
    if not links:
        raise PackageDownloadError(f"the index lists no HTTP download link for "
                                   f"{entry.get('from_code')}→{entry.get('to_code')}")
    failures = []
    for link in links:  # the index may list mirrors: try each in turn
        try:
            _download_file(link, destination, _expected_checksum(entry), progress)
            return
        except PackageDownloadError as error:
            failures.append(str(error))
    raise PackageDownloadError("; ".join(failures))


def _expected_checksum(entry: dict[str, Any]) -> tuple[str, str] | None:
    """(algorithm, hex digest) if the index entry provides one: "sha256" or "checksum": "algo:hex"."""
    if entry.get("sha256"):
        return "sha256", str(entry["sha256"]).lower()
    checksum = str(entry.get("checksum") or "")
    if not checksum:
        return None
    algorithm, _, digest = checksum.rpartition(":")
    return (algorithm or "sha256").lower(), digest.lower()


def _download_file(url: str, destination: Path, checksum: tuple[str, str] | None, progress: bool) -> None:
    from tqdm import tqdm

    try:
        digest = hashlib.new(checksum[0] if checksum else "sha256")
    except ValueError as error:
        raise PackageDownloadError(f"the index uses an unknown checksum algorithm: {checksum}") from error
    try:
        with httpx.stream("GET", url, timeout=_TIMEOUT, follow_redirects=True) as response:
            response.raise_for_status()
            total = int(response.headers.get("content-length", 0)) or None
            with destination.open("wb") as file, tqdm(
                total=total, unit="B", unit_scale=True, unit_divisor=1024,
                desc=url.rsplit("/", 1)[-1], disable=not progress,
            ) as bar:
                for chunk in response.iter_bytes(chunk_size=1 << 16):
                    file.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
    except httpx.HTTPStatusError as error:
        raise PackageDownloadError(f"download failed: {url} answered HTTP {error.response.status_code}") from error
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as error:
        raise PackageDownloadError(f"download failed (offline?): {url}: {error}") from error
    if checksum and digest.hexdigest() != checksum[1]:
        raise PackageDownloadError(f"checksum mismatch for {url}: expected {checksum[0]} {checksum[1]}, "
                                   f"got {digest.hexdigest()} (corrupted download?)")
