"""Near-duplicate detection: MinHash signatures of word shingles in an LSH index (datasketch).

A press release copied by three outlets, or lightly reworded, shares most of its word 3-grams with
the original. LSH finds those candidates in constant time per article; the MinHash estimate of
their Jaccard similarity then decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from datasketch import MinHash
from datasketch.lsh import _optimal_param

from vistka.pipeline.storyterms import shingles_of

NUM_PERM = 64
# LSH is tuned to find pairs around this Jaccard similarity; the final test uses DUPLICATE_THRESHOLD.
LSH_THRESHOLD = 0.3
DUPLICATE_THRESHOLD = 0.35
MIN_SHINGLES = 20  # shorter texts (a headline, a one-line brief) are never called copies


# Drawing the random permutations is the slow part of a MinHash; every signature shares one set.
_TEMPLATE = MinHash(num_perm=NUM_PERM)


@lru_cache(maxsize=8)
def _bands(threshold: float) -> tuple[int, int]:
    """datasketch's own choice of bands and rows for the threshold, worked out once per process: it
    integrates numerically over every split (~20 ms), and a backfill builds an index per article."""
    return _optimal_param(threshold, NUM_PERM, 0.5, 0.5)


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

    def _keys(self, signature: MinHash) -> list[bytes]:
        values = signature.hashvalues
        return [bytes((band,)) + values[start:end].tobytes() for band, start, end in self._ranges]

    def insert(self, key: str, signature: MinHash) -> None:
        table = self._table
        for bucket in self._keys(signature):
            held = table.get(bucket)
            if held is None:
                table[bucket] = key
            elif isinstance(held, list):
                held.append(key)
            else:
                table[bucket] = [held, key]

    def remove(self, key: str, signature: MinHash) -> None:
        table = self._table
        for bucket in self._keys(signature):
            held = table.get(bucket)
            if held == key:
                del table[bucket]
            elif isinstance(held, list):
                held.remove(key)
                if len(held) == 1:
                    table[bucket] = held[0]

    def query(self, signature: MinHash) -> set[str]:
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
        self._signatures: dict[str, MinHash] = {}

    def signature(self, words: list[str]) -> MinHash | None:
        shingles = shingles_of(words)
        if len(shingles) < MIN_SHINGLES:
            return None
        signature = MinHash(num_perm=NUM_PERM, permutations=_TEMPLATE.permutations, scheme=_TEMPLATE.scheme)
        signature.update_batch([s.encode("utf-8") for s in shingles])
        return signature

    def find(self, signature: MinHash | None, allowed=lambda key: True) -> Duplicate | None:
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

    def add(self, key: str, signature: MinHash | None) -> None:
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
