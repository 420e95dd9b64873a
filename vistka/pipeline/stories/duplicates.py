"""Near-duplicate detection: MinHash signatures of word shingles in an LSH index.

A press release copied by three outlets, or lightly reworded, shares most of its word 3-grams with
the original. LSH finds those candidates in constant time per article; the MinHash estimate of
their Jaccard similarity then decides.

The signatures are datasketch's MinHash ("affine32" scheme, seed 1: SHA-1 of each shingle, the
MurmurHash3 finalizer, then 64 affine permutations mod 2^32) and the banding is datasketch's choice
of bands and rows for the threshold; tests/pipeline/stories/test_duplicate_buckets.py checks both against datasketch,
value for value. They are written out here, in a few lines of numpy, because importing datasketch
loads scipy (for the one integral that chooses the bands): ~65 MB in every process, a fifth of a
worker's memory budget; and its LSH keeps a set per band per article (~6 KB an article).
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from math import comb

import numpy as np

from vistka.pipeline.stories.terms import shingles_of

NUM_PERM = 64
# LSH is tuned to find pairs around this Jaccard similarity; the final test uses DUPLICATE_THRESHOLD.
LSH_THRESHOLD = 0.3
DUPLICATE_THRESHOLD = 0.35
MIN_SHINGLES = 20  # shorter texts (a headline, a one-line brief) are never called copies
SEED = 1

# The permutations (odd multipliers, so each is a bijection on 32-bit values), drawn as datasketch does.
_RANDOM = np.random.RandomState(SEED)
_A = _RANDOM.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
_B = _RANDOM.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
_SHA1_32 = struct.Struct("<I")


class Signature:
    """The MinHash of an article's shingles: 64 32-bit values."""

    __slots__ = ("hashvalues",)

    def __init__(self, hashvalues: np.ndarray) -> None:
        self.hashvalues = hashvalues

    def jaccard(self, other: Signature) -> float:
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / NUM_PERM

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Signature) and bool(np.array_equal(self.hashvalues, other.hashvalues))

    __hash__ = None


def minhash(shingles) -> Signature:
    hashes = np.array([_SHA1_32.unpack(hashlib.sha1(shingle.encode("utf-8")).digest()[:4])[0] for shingle in shingles],
                      dtype=np.uint32).reshape(-1, 1)
    hashes ^= hashes >> np.uint32(16)  # MurmurHash3's finalizer: an avalanching bijection
    hashes *= np.uint32(0x85EBCA6B)
    hashes ^= hashes >> np.uint32(13)
    hashes *= np.uint32(0xC2B2AE35)
    hashes ^= hashes >> np.uint32(16)
    return Signature((hashes * _A + _B).min(axis=0))


def _false_positive(threshold: Fraction, bands: int, rows: int) -> Fraction:
    """The integral over s in [0, threshold] of 1 - (1 - s^rows)^bands, exactly (binomial expansion)."""
    return threshold - sum(comb(bands, k) * (-1) ** k * threshold ** (rows * k + 1) / (rows * k + 1)
                           for k in range(bands + 1))


def _false_negative(threshold: Fraction, bands: int, rows: int) -> Fraction:
    """The integral over s in [threshold, 1] of (1 - s^rows)^bands."""
    return sum(comb(bands, k) * (-1) ** k * (1 - threshold ** (rows * k + 1)) / (rows * k + 1)
               for k in range(bands + 1))


@lru_cache(maxsize=8)
def _bands(threshold: float) -> tuple[int, int]:
    """The bands and rows that minimise the false positive and false negative probabilities, equally
    weighted (datasketch's rule, with its integrals taken exactly), worked out once per threshold."""
    exact = Fraction(threshold)
    best, choice = None, (0, 0)
    for bands in range(1, NUM_PERM + 1):
        for rows in range(1, NUM_PERM // bands + 1):
            error = (_false_positive(exact, bands, rows) + _false_negative(exact, bands, rows)) / 2
            if best is None or error < best:
                best, choice = error, (bands, rows)
    return choice


@dataclass(frozen=True)
class Duplicate:
    of: str
    jaccard: float


class _Buckets:
    """MinHashLSH's banding (datasketch's choice of bands and rows, the same candidates) in one flat
    dict: band + band values → the key, or a list of keys when several share it. datasketch keeps a
    set per band per article and a list of band hashes per key: ~6 KB an article, where this needs
    ~1.5 KB (a warm story index holds tens of thousands of articles in every worker)."""

    def __init__(self, threshold: float) -> None:
        bands, rows = _bands(threshold)
        self._ranges = [(band, band * rows, (band + 1) * rows) for band in range(bands)]
        self._table: dict[bytes, str | list[str]] = {}

    def _keys(self, signature: Signature) -> list[bytes]:
        values = signature.hashvalues
        return [bytes((band,)) + values[start:end].tobytes() for band, start, end in self._ranges]

    def insert(self, key: str, signature: Signature) -> None:
        table = self._table
        for bucket in self._keys(signature):
            held = table.get(bucket)
            if held is None:
                table[bucket] = key
            elif isinstance(held, list):
                held.append(key)
            else:
                table[bucket] = [held, key]

    def remove(self, key: str, signature: Signature) -> None:
        table = self._table
        for bucket in self._keys(signature):
            held = table.get(bucket)
            if held == key:
                del table[bucket]
            elif isinstance(held, list):
                held.remove(key)
                if len(held) == 1:
                    table[bucket] = held[0]

    def query(self, signature: Signature) -> set[str]:
        found: set[str] = set()
        for bucket in self._keys(signature):
            held = self._table.get(bucket)
            if held is not None:
                found.update(held) if isinstance(held, list) else found.add(held)
        return found


class DuplicateIndex:
    """Remembers every article's signature and answers "is this a copy of one we have?"."""

    def __init__(self, threshold: float = DUPLICATE_THRESHOLD) -> None:
        self.threshold = threshold
        self._lsh = _Buckets(min(LSH_THRESHOLD, threshold))
        self._signatures: dict[str, Signature] = {}

    def signature(self, words: list[str]) -> Signature | None:
        shingles = shingles_of(words)
        if len(shingles) < MIN_SHINGLES:
            return None
        return minhash(shingles)

    def find(self, signature: Signature | None, allowed=lambda key: True) -> Duplicate | None:
        """The most similar stored article above the threshold (among those `allowed` accepts); of equally
        similar ones the smallest key, so that every process picks the same one."""
        if signature is None:
            return None
        best: Duplicate | None = None
        for key in self._lsh.query(signature):
            if not allowed(key):
                continue
            jaccard = signature.jaccard(self._signatures[key])
            if jaccard >= self.threshold and (best is None or (-jaccard, key) < (-best.jaccard, best.of)):
                best = Duplicate(key, jaccard)
        return best

    def add(self, key: str, signature: Signature | None) -> None:
        if signature is None or key in self._signatures:
            return
        self._signatures[key] = signature
        self._lsh.insert(key, signature)

    def remove(self, key: str) -> None:
        signature = self._signatures.pop(key, None)
        if signature is not None:
            self._lsh.remove(key, signature)

    def __len__(self) -> int:
        return len(self._signatures)
