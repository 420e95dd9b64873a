"""The flat LSH buckets of duplicates.py find exactly the candidates datasketch's MinHashLSH finds."""

import random

from datasketch import MinHashLSH

from vistka.pipeline.duplicates import LSH_THRESHOLD, NUM_PERM, DuplicateIndex, _bands, _Buckets


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


def test_buckets_find_what_datasketch_finds_and_forget_what_is_removed():
    rng = random.Random(3)
    index = DuplicateIndex()
    signatures = [index.signature(text) for text in _texts(200, rng)]
    reference = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM, params=_bands(LSH_THRESHOLD))
    buckets = _Buckets(LSH_THRESHOLD)
    for n, signature in enumerate(signatures[:150]):
        reference.insert(str(n), signature)
        buckets.insert(str(n), signature)
    for n in range(0, 150, 3):  # some leave (withdrawn, out of the window)
        reference.remove(str(n))
        buckets.remove(str(n), signatures[n])
    found_any = False
    for signature in signatures:
        expected = set(reference.query(signature))
        assert buckets.query(signature) == expected
        found_any |= len(expected) > 1
    assert found_any  # the texts do share buckets: the comparison means something


def test_a_copy_is_found_and_forgotten():
    rng = random.Random(4)
    original, other = _texts(8, rng)[0], _texts(8, random.Random(9))[4]
    index = DuplicateIndex()
    index.add("a", index.signature(original))
    index.add("b", index.signature(other))
    found = index.find(index.signature(original + ["extra"]))
    assert found is not None and found.of == "a"
    index.remove("a")
    assert index.find(index.signature(original)) is None or index.find(index.signature(original)).of != "a"
