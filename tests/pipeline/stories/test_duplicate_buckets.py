"""duplicates.py's MinHash, bands and LSH buckets are datasketch's, value for value (datasketch is a
test dependency only: importing it loads scipy)."""

import random

import pytest
from datasketch import MinHash, MinHashLSH
from datasketch.lsh import _optimal_param

from vistka.pipeline.stories import duplicates
from vistka.pipeline.stories.duplicates import (
    LSH_THRESHOLD,
    NUM_PERM,
    DuplicateIndex,
    _bands,
    _Buckets,
    minhash,
)
from vistka.pipeline.stories.terms import shingles_of


def _reference(shingles) -> MinHash:
    signature = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32")
    signature.update_batch([shingle.encode("utf-8") for shingle in shingles])
    return signature


def test_signatures_are_datasketchs():
    rng = random.Random(1)
    for text in _texts(40, rng):
        shingles = shingles_of(text)
        ours, theirs = minhash(shingles), _reference(shingles)
        assert list(ours.hashvalues) == list(theirs.hashvalues)
    a, b = shingles_of(_texts(8, rng)[0]), shingles_of(_texts(8, rng)[1])
    assert minhash(a).jaccard(minhash(b)) == _reference(a).jaccard(_reference(b))


@pytest.mark.parametrize("threshold", [0.1, 0.2, 0.3, 0.35, 0.5, 0.7, 0.9])
def test_bands_are_datasketchs(threshold):
    assert _bands(threshold) == _optimal_param(threshold, NUM_PERM, 0.5, 0.5)


def _texts(count: int, rng: random.Random) -> list[list[str]]:
    words = [f"w{n}" for n in range(400)]
    base = [rng.choices(words, k=120) for _ in range(count // 4)]
    texts = []
    for n in range(count):  # each base text and three rewordings of it, more or less close
        text = list(base[n // 4])
        for _ in range(rng.randint(0, 80) if n % 4 else 0):
            text[rng.randrange(len(text))] = rng.choice(words)
        texts.append(text)
    return texts


# 50: the recent band keys are merged into the sorted arrays every few articles, and removed ones
# dropped from them, so that every path (recent, merged, removed from either) is compared.
@pytest.mark.parametrize("merge_min", [duplicates.MERGE_MIN, 50])
def test_buckets_find_what_datasketch_finds_and_forget_what_is_removed(monkeypatch, merge_min):
    monkeypatch.setattr(duplicates, "MERGE_MIN", merge_min)
    rng = random.Random(3)
    signatures = [duplicates.signature_of(text) for text in _texts(200, rng)]
    references = [_reference(shingles_of(text)) for text in _texts(200, random.Random(3))]
    reference = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM, params=_bands(LSH_THRESHOLD))
    buckets = _Buckets(LSH_THRESHOLD)
    for n, signature in enumerate(signatures[:150]):
        reference.insert(str(n), references[n])
        buckets.insert(str(n), signature)
    for n in range(0, 150, 3):  # some leave (withdrawn, out of the window)
        reference.remove(str(n))
        buckets.remove(str(n), signatures[n])
    held = {n: n for n in range(150) if n % 3}
    for n in range(0, 48, 6):  # and come back changed (re-translated)
        reference.insert(str(n), references[n + 150])
        buckets.insert(str(n), signatures[n + 150])
        held[n] = n + 150
    for n in [n for n in held if n % 2 == 0]:  # more leave, after that (most merged keys are gone)
        reference.remove(str(n))
        buckets.remove(str(n), signatures[held[n]])
    found_any = False
    for signature, theirs in zip(signatures, references, strict=True):
        expected = set(reference.query(theirs))
        assert buckets.query(signature) == expected
        found_any |= len(expected) > 1
    assert found_any  # the texts do share buckets: the comparison means something


def test_a_copy_is_found_and_forgotten():
    rng = random.Random(4)
    original, other = _texts(8, rng)[0], _texts(8, random.Random(9))[4]
    index = DuplicateIndex()
    index.add("a", duplicates.signature_of(original))
    index.add("b", duplicates.signature_of(other))
    found = index.find(duplicates.signature_of(original + ["extra"]))
    assert found is not None and found.of == "a"
    index.remove("a")
    assert index.find(duplicates.signature_of(original)) is None or index.find(duplicates.signature_of(original)).of != "a"
