"""Near-duplicate detection: MinHash signatures of word shingles in an LSH index (datasketch).

A press release copied by three outlets, or lightly reworded, shares most of its word 3-grams with
the original. LSH finds those candidates in constant time per article; the MinHash estimate of
their Jaccard similarity then decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from datasketch import MinHash, MinHashLSH
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


class DuplicateIndex:
    """Remembers every article's signature and answers "is this a copy of one we have?"."""

    def __init__(self, threshold: float = DUPLICATE_THRESHOLD) -> None:
        self.threshold = threshold
        lsh_threshold = min(LSH_THRESHOLD, threshold)
        self._lsh = MinHashLSH(threshold=lsh_threshold, num_perm=NUM_PERM, params=_bands(lsh_threshold))
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
        if self._signatures.pop(key, None) is not None:
            self._lsh.remove(key)

    def __len__(self) -> int:
        return len(self._signatures)
