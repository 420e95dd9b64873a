"""Language stage: which language an article is written in."""

from __future__ import annotations

import array
import importlib.metadata
import logging
import math
import mmap
import re
import threading
from pathlib import Path
from typing import BinaryIO

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
from py3langid.modelio import load_model

log = logging.getLogger("vistka.pipeline")

# Letters that exist in one Cyrillic language and not the other settle uk/ru/be quickly and reliably
# on short texts, where statistical identification is weakest. (Counted by a regular expression: a
# Python loop over the sample's characters cost more than the statistical model.)
_DISTINCTIVE = {"uk": re.compile("[іїєґІЇЄҐ]"), "ru": re.compile("[ыэъёЫЭЪЁ]")}


def detect_language(text: str, declared: str = "") -> str:
    """ISO 639-1 code of text; `declared` (the source's language) wins when the text is too short."""
    sample = " ".join(text.split())[:2000]  # enough for a confident guess; classify time grows with length
    if len(sample) < 40:
        return declared or (identifier().classify(sample)[0] if sample else "")
    counts = {lang: len(letters.findall(sample)) for lang, letters in _DISTINCTIVE.items()}
    if counts["uk"] > 2 and counts["uk"] > counts["ru"] * 2:
        return "uk"
    if counts["ru"] > 2 and counts["ru"] > counts["uk"] * 2:
        return "ru"
    return identifier().classify(sample)[0]


_LOADING = threading.Lock()
_IDENTIFIER: list[LanguageIdentifier] = []


def identifier() -> LanguageIdentifier:
    """py3langid's model, loaded once per process. (py3langid loads it lazily without a lock: the
    first articles of a worker's threads each loaded it at once, 0.6 s of CPU apiece, and every
    thread stalled for seconds.) `vistka worker` loads it before taking tasks."""
    if not _IDENTIFIER:
        with _LOADING:
            if not _IDENTIFIER:
                _IDENTIFIER.append(_load_identifier())
    return _IDENTIFIER[0]


def read_in() -> None:
    """Load the model and bring all of its mapped pages into this process now: a worker does at
    start-up, so that its first pages wait for no disk and its memory split (`vistka worker`) counts
    the model, which the machine's other processes share."""
    model = identifier()
    for table in (model.nb_ptc, model.tk_nextmove):
        np.frombuffer(table, dtype=np.uint8)[:: mmap.PAGESIZE].sum()  # one byte read a page


def _load_identifier() -> LanguageIdentifier:
    ptc, pc, classes, nextmove, row, output = _model_parts()
    # As LanguageIdentifier.from_model_file makes it from the same parts.
    return LanguageIdentifier(np.asarray(ptc), np.asarray(pc), classes, nextmove, output, tk_row=row)


# py3langid ships its model xz-compressed: unpacking it costs ~0.45 s of CPU in every process that
# detects languages (each extraction process, each worker). An unpacked copy in the data dir loads in
# a tenth of that (0.04-0.08 s), its arrays read straight into place (a process's peak 155 MB against
# 185 MB through py3langid's loader); it is made by the first process that finds none, and named after
# the package's version and the model file's size and time, so that another model is never read
# through an old copy (which the new copy replaces).
_MODEL = MODEL_DIR / MODEL_FILE


def _model_parts() -> tuple:
    """The parts py3langid's loader returns: (ptc, pc, classes, nextmove, row, output)."""
    copy = _unpacked_copy()
    if copy is not None and copy.exists():
        try:
            return _read_copy(copy)
        except Exception:  # noqa: BLE001 - a damaged copy is made again from the model itself
            log.warning("the unpacked language model %s could not be read: unpacking the model again", copy,
                        exc_info=True)
    parts = load_model(_MODEL)
    if copy is not None:
        try:
            _write_copy(copy, parts)
        except OSError as error:  # a read-only data dir: every process unpacks, as without the copy
            log.warning("the unpacked language model could not be kept in %s: %s", copy.parent, error)
    return parts


def _unpacked_copy() -> Path | None:
    """Where the unpacked model is kept: the data dir's cache folder (None without Django settings)."""
    from django.conf import settings

    if not settings.configured:
        return None
    stat = _MODEL.stat()
    version = importlib.metadata.version("py3langid")
    return Path(settings.DATA_DIR) / "cache" / f"py3langid-{version}-{stat.st_size}-{stat.st_mtime_ns}.arrays"


def _write_copy(path: Path, parts: tuple) -> None:
    """The parts as numpy arrays, one .npy record after another in one file (np.save to a real file
    writes each array straight from memory: through a zip member, numpy copied 16 MB at a time, and
    that stayed in the process)."""
    ptc, pc, classes, nextmove, row, output = parts
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{threading.get_native_id()}.tmp")
    try:
        with temporary.open("wb") as file:
            for part in (np.array([nextmove.typecode, row.typecode]), ptc, pc, np.array(classes),
                         np.array(output, dtype=np.int64), np.frombuffer(nextmove, dtype=nextmove.typecode),
                         np.frombuffer(row, dtype=row.typecode)):
                np.save(file, part, allow_pickle=False)
        temporary.replace(path)  # whole or not there: other processes may be reading it already
    finally:
        temporary.unlink(missing_ok=True)
    for old in path.parent.glob("py3langid-*.arrays"):  # (not another process's copy being written)
        if old != path:
            old.unlink(missing_ok=True)


def _read_copy(path: Path) -> tuple:
    """The parts of a kept copy, its arrays (the 28 MB score table, the 39 MB transition table and the
    tokenizer's small row index) mapped from the file, not read: every process that detects languages shares one copy of
    them in the page cache, a process starts without reading 68 MB, and what no text reaches is never
    loaded. The copy is only ever replaced whole (_write_copy), never changed in place, so a mapping
    stays valid for as long as its process lives."""
    with path.open("rb") as file:
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        nextmove_code, row_code = np.load(file, allow_pickle=False).tolist()
        ptc, pc = _mapped_array(file, mapped), np.load(file, allow_pickle=False)
        classes, output = np.load(file, allow_pickle=False).tolist(), np.load(file, allow_pickle=False).tolist()
        nextmove, row = _mapped_items(file, mapped, nextmove_code), _mapped_items(file, mapped, row_code)
        if file.read(1):
            raise ValueError(f"{path} goes on after its last part")
    return ptc, pc, classes, nextmove, row, output


def _record_header(file: BinaryIO) -> tuple[tuple[int, ...], bool, np.dtype]:
    version = np.lib.format.read_magic(file)
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    return read_header(file)


def _mapped_record(file: BinaryIO, mapped: mmap.mmap) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """The next record's shape, order, type and offset in the mapping; the file is left after it."""
    shape, fortran_order, dtype = _record_header(file)
    offset, size = file.tell(), math.prod(shape) * dtype.itemsize
    if offset + size > len(mapped):  # a copy cut short (a full disk): made again, not half read
        raise EOFError(f"the {dtype} array of shape {shape} is cut short")
    file.seek(offset + size)
    return shape, fortran_order, dtype, offset


def _mapped_array(file: BinaryIO, mapped: mmap.mmap) -> np.ndarray:
    shape, fortran_order, dtype, offset = _mapped_record(file, mapped)
    items = np.frombuffer(mapped, dtype=dtype, count=math.prod(shape), offset=offset)
    return items.reshape(shape, order="F" if fortran_order else "C")


def _mapped_items(file: BinaryIO, mapped: mmap.mmap, typecode: str) -> memoryview:
    """A one-dimensional record as a memoryview of `typecode` items: indexed one item at a time by
    py3langid's tokenizer, which a memoryview answers as fast as an array.array (a numpy array would
    make each item a numpy scalar)."""
    shape, _, dtype, offset = _mapped_record(file, mapped)
    if len(shape) != 1 or dtype.itemsize != array.array(typecode).itemsize:
        raise ValueError(f"a record of {dtype} and shape {shape} is no array of {typecode!r} items")
    return memoryview(mapped)[offset:offset + shape[0] * dtype.itemsize].cast(typecode)
