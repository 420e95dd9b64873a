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
    # The first 4 bytes of each shingle's SHA-1, little-endian, read by numpy in one go.
    digests = b"".join([hashlib.sha1(shingle.encode("utf-8")).digest()[:4] for shingle in shingles])
    hashes = np.frombuffer(digests, dtype="<u4").astype(np.uint32).reshape(-1, 1)
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


# Band keys inserted since the last merge before they are merged (see _Buckets): ~200 articles. A
# merge copies the arrays (~3 ms at 600,000 keys, a warm index at 1M articles) once per ~200 articles;
# a dict of more keys would leave more of its freed objects scattered among the index's own.
MERGE_MIN = 4096


class _Buckets:
    """MinHashLSH's banding (datasketch's choice of bands and rows, the same candidates), kept in
    two parts: the band keys (the band's number and its rows' values, 13 bytes) of most articles in
    one sorted numpy array, each key's article slot in another, found with `searchsorted`; the keys
    inserted since the last merge in a dict (band key → slot, or a list of slots when several share
    it), merged into the arrays once it holds MERGE_MIN keys. A warm story index holds tens of
    thousands of articles, 21 band keys each, in every worker: one flat dict of them took ~1.7 KB
    an article (a bytes object, a dict slot and its share of the table per key; ~47 MB at 1M
    articles), the arrays take 17 bytes a key (~0.36 KB an article). datasketch keeps a set per
    band per article and a list of band hashes per key: ~6 KB."""

    def __init__(self, threshold: float) -> None:
        bands, rows = _bands(threshold)
        self._ranges = [(band, band * rows, (band + 1) * rows) for band in range(bands)]
        self._dtype = np.dtype(f"S{1 + 4 * rows}")  # the band's number, then its rows' 32-bit values
        self._sorted = np.empty(0, dtype=self._dtype)  # merged band keys, ascending
        self._sorted_slots = np.empty(0, dtype=np.int32)  # the article slot of each merged band key
        self._recent: dict[bytes, int | list[int]] = {}  # band keys inserted since the last merge
        self._recent_keys = 0  # band keys in _recent
        self._next_slot = 0
        self._first_recent = 0  # slots from here on are in _recent, earlier ones in the arrays
        self._removed = 0  # merged band keys of removed articles (skipped until the next merge drops them)
        # Slots are never reused (int32: 2 billion insertions a process): a merged band key whose
        # article was removed has no key here.
        self._slot_of: dict[str, int] = {}
        self._key_of: dict[int, str] = {}

    def _keys(self, signature: Signature) -> list[bytes]:
        values = signature.hashvalues
        return [bytes((band,)) + values[start:end].tobytes() for band, start, end in self._ranges]

    def insert(self, key: str, signature: Signature) -> None:
        slot = self._next_slot
        self._next_slot += 1
        self._slot_of[key], self._key_of[slot] = slot, key
        table = self._recent
        for bucket in self._keys(signature):
            held = table.get(bucket)
            if held is None:
                table[bucket] = slot
            elif isinstance(held, list):
                held.append(slot)
            else:
                table[bucket] = [held, slot]
        self._recent_keys += len(self._ranges)
        if self._recent_keys >= MERGE_MIN:
            self._merge()

    def remove(self, key: str, signature: Signature) -> None:
        slot = self._slot_of.pop(key, None)
        if slot is None:
            return
        del self._key_of[slot]
        if slot < self._first_recent:  # merged: skipped by query() until the next merge drops it
            self._removed += len(self._ranges)
            if self._removed > len(self._sorted) // 2:
                self._merge()
            return
        table = self._recent
        for bucket in self._keys(signature):
            held = table.get(bucket)
            if held == slot:
                del table[bucket]
            elif isinstance(held, list):
                held.remove(slot)
                if len(held) == 1:
                    table[bucket] = held[0]
        self._recent_keys -= len(self._ranges)

    def query(self, signature: Signature) -> set[str]:
        keys, key_of = self._keys(signature), self._key_of
        found: set[str] = set()
        if len(self._sorted):
            probe = np.array(keys, dtype=self._dtype)
            firsts = np.searchsorted(self._sorted, probe, side="left").tolist()
            lasts = np.searchsorted(self._sorted, probe, side="right").tolist()
            for first, last in zip(firsts, lasts, strict=True):
                if first < last:
                    found.update(key_of[slot] for slot in self._sorted_slots[first:last].tolist() if slot in key_of)
        for bucket in keys:
            held = self._recent.get(bucket)
            if held is not None:
                found.update(key_of[slot] for slot in held) if isinstance(held, list) else found.add(key_of[held])
        return found

    def _merge(self) -> None:
        """The recent band keys into the sorted arrays (an O(n) insertion of a sorted batch), dropping
        the band keys of removed articles."""
        buckets, slots = [], []
        for bucket, held in self._recent.items():
            for slot in held if isinstance(held, list) else (held,):
                buckets.append(bucket)
                slots.append(slot)
        merged, merged_slots = self._sorted, self._sorted_slots
        if self._removed:  # a flag per slot: no sorting of the whole array (np.isin's) to find them
            alive = np.zeros(self._next_slot, dtype=bool)
            alive[np.fromiter(self._key_of, dtype=np.int64, count=len(self._key_of))] = True
            kept = alive[merged_slots]
            merged, merged_slots = merged[kept], merged_slots[kept]
        if buckets:
            new = np.array(buckets, dtype=self._dtype)
            order = np.argsort(new, kind="stable")
            new, new_slots = new[order], np.array(slots, dtype=np.int32)[order]
            at = np.searchsorted(merged, new, side="right")
            merged, merged_slots = np.insert(merged, at, new), np.insert(merged_slots, at, new_slots)
        self._sorted, self._sorted_slots = merged, merged_slots
        self._recent, self._recent_keys, self._removed = {}, 0, 0
        self._first_recent = self._next_slot


def signature_of(words: list[str]) -> Signature | None:
    """The MinHash of a text's shingles (None when it has too few to tell a copy): the same in every
    index and every process."""
    shingles = shingles_of(words)
    if len(shingles) < MIN_SHINGLES:
        return None
    return minhash(shingles)


class DuplicateIndex:
    """Remembers every article's signature and answers "is this a copy of one we have?"."""

    def __init__(self, threshold: float = DUPLICATE_THRESHOLD) -> None:
        self.threshold = threshold
        self._lsh = _Buckets(min(LSH_THRESHOLD, threshold))
        self._signatures: dict[str, Signature] = {}

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
