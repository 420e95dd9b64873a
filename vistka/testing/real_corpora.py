"""Extraction on the real-page corpora in ../shared/corpora (see its README): vistka, plain
trafilatura (`extract(html)` with its defaults) and readability-lxml, scored the README's way.

* trafilatura-eval: snippets. Whitespace-normalised `with` snippets found are true positives, missed
  ones false negatives; `without` snippets found are false positives. Micro P/R/F1 over all snippets.
* readability-test-pages: the text of expected.html against the extracted text, word 4-gram
  shingles of lower-cased `\\w+` tokens counted as multisets (the Zyte article-extraction benchmark's
  evaluate.py), summed over all pages.

The archives are unpacked once into a git-ignored folder (data/corpora/ of the checkout, or
VISTKA_CORPORA_CACHE); they are never copied into the repository. bench/eval_extract_real.py prints
the tables; tests/pipeline/extract/test_extract_real_gate.py holds vistka to bench/baselines/extract_real.json.
"""

from __future__ import annotations

import json
import os
import re
import tarfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parents[2]
BASELINE_PATH = ROOT / "bench" / "baselines" / "extract_real.json"
CORPORA = ("trafilatura-eval", "readability-test-pages")
EXTRACTORS = ("vistka", "trafilatura", "readability")
JUNK_F1, GOOD_F1 = 0.5, 0.8  # a junk page: vistka below JUNK_F1 where plain trafilatura reaches GOOD_F1


def corpora_dir() -> Path:
    """Where the archives are: VISTKA_CORPORA, else ../shared/corpora beside the checkout."""
    configured = os.environ.get("VISTKA_CORPORA")
    return Path(configured) if configured else ROOT.parent / "shared" / "corpora"


def missing_corpora() -> list[str]:
    """The archives that are not there (a user's fresh clone has none)."""
    return [name for name in CORPORA if not (corpora_dir() / f"{name}.tar.xz").is_file()]


def unpacked(name: str) -> Path:
    """The corpus unpacked under the git-ignored cache folder, unpacking it the first time."""
    cache = Path(os.environ.get("VISTKA_CORPORA_CACHE") or ROOT / "data" / "corpora")
    target, stamp = cache / name, cache / f".{name}.unpacked"
    archive = corpora_dir() / f"{name}.tar.xz"
    if not stamp.exists() or stamp.read_text() != str(archive.stat().st_mtime):
        cache.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            tar.extractall(cache, filter="data")
        stamp.write_text(str(archive.stat().st_mtime))
    return target


@dataclass
class RealPage:
    corpus: str
    name: str
    url: str
    path: str
    gold: dict  # trafilatura-eval: with/without snippets; readability: {"text": ...}


def load_real_pages() -> list[RealPage]:
    pages = []
    root = unpacked("trafilatura-eval")
    for url, item in json.loads((root / "evaldata.json").read_text()).items():
        path = next(p for p in (root / "eval" / item["file"], root / "cache" / item["file"]) if p.exists())
        pages.append(RealPage("trafilatura-eval", item["file"], url, str(path),
                              {"with": item["with"], "without": item["without"]}))
    root = unpacked("readability-test-pages")
    for folder in sorted(p for p in root.iterdir() if (p / "source.html").exists()):
        # expected.html is UTF-8 without a charset declaration: read as bytes, lxml took it for
        # Latin-1, and every non-ASCII word of the gold (83 of the 130 pages) could match nothing.
        expected = lxml.html.document_fromstring((folder / "expected.html").read_text(encoding="utf-8")
                                                 or "<p></p>")
        metadata = json.loads((folder / "expected-metadata.json").read_text())
        url = metadata.get("url") or f"http://fakehost/test/{folder.name}.html"
        pages.append(RealPage("readability-test-pages", folder.name, url, str(folder / "source.html"),
                              {"text": expected.text_content()}))
    return pages


# --- the extractors, each from the same page bytes --------------------------------------------------

def run_vistka(content: bytes, url: str) -> tuple[str, str]:
    """(what a reader sees: the standfirst above the body, the body's method)."""
    from vistka.pipeline.extract import ExtractionError, extract_article

    try:
        result = extract_article(content, url)
    except ExtractionError:
        return "", "none"
    except Exception as error:  # noqa: BLE001 - a crash is scored as an empty page and named in the table
        return "", f"crash: {type(error).__name__}"
    shown = result.text if result.method.get("lead") == "body" else f"{result.lead}\n{result.text}"
    return shown, result.method.get("body", "")


def run_trafilatura(content: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(content, url=url) or ""


def run_readability(content: bytes, url: str) -> str:
    from readability import Document

    try:
        summary = Document(content, url=url).summary(html_partial=True)
    except Exception:  # readability raises on pages it cannot read at all; that is an empty result
        return ""
    return lxml.html.document_fromstring(summary or "<div></div>").text_content() if summary else ""


RUNNERS: dict[str, Callable[[bytes, str], str | tuple[str, str]]] = {
    "vistka": run_vistka, "trafilatura": run_trafilatura, "readability": run_readability,
}


# --- scoring ----------------------------------------------------------------------------------------

def normalise(text: str) -> str:
    return " ".join(text.split())


def snippet_counts(text: str, gold: dict) -> tuple[int, int, int]:
    """(tp, fp, fn) of one trafilatura-eval page."""
    text = normalise(text)
    found = [normalise(snippet) in text for snippet in gold["with"]]
    false_positives = sum(normalise(snippet) in text for snippet in gold["without"]) if text else 0
    return sum(found), false_positives, len(found) - sum(found)


def shingles(text: str, n: int = 4) -> Counter:
    tokens = re.findall(r"\w+", text.lower())
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def shingle_counts(text: str, gold: dict) -> tuple[int, int, int]:
    """(tp, fp, fn) of one readability page: multiset 4-gram shingle matching."""
    got, want = shingles(text), shingles(gold["text"])
    return sum((got & want).values()), sum((got - want).values()), sum((want - got).values())


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


@dataclass
class PageResult:
    corpus: str
    name: str
    counts: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # extractor -> (tp, fp, fn)
    seconds: dict[str, float] = field(default_factory=dict)
    chars: dict[str, int] = field(default_factory=dict)
    method: str = ""  # which vistka candidate gave the body

    def f1(self, extractor: str) -> float:
        return prf(*self.counts[extractor])[2]


def score_page(page: RealPage, extractors: tuple[str, ...] = EXTRACTORS) -> PageResult:
    content = Path(page.path).read_bytes()
    counter = snippet_counts if page.corpus == "trafilatura-eval" else shingle_counts
    result = PageResult(page.corpus, page.name)
    for name in extractors:
        started = time.perf_counter()
        text = RUNNERS[name](content, page.url)
        result.seconds[name] = time.perf_counter() - started
        if isinstance(text, tuple):
            text, result.method = text
        result.counts[name], result.chars[name] = counter(text, page.gold), len(text)
    return result


WARM_UP_PAGE = ("<html><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1>"
                + "<p>A paragraph read once before timing, so that imports and first-call set-up count "
                  "in no page's time, for every extractor alike.</p>" * 5 + "</article></body></html>").encode()


def warm_up(extractors: tuple[str, ...] = EXTRACTORS) -> None:
    """Each extractor reads one small page untimed: a long-running worker pays imports and its
    libraries' first-call set-up once, not per page (time per page is the steady state)."""
    for name in extractors:
        RUNNERS[name](WARM_UP_PAGE, "https://warm-up.example/page.html")


def evaluate_real(pages: list[RealPage], extractors: tuple[str, ...] = EXTRACTORS,
                  processes: int = 2) -> list[PageResult]:
    """Every page through every extractor; pages spread over `processes` worker processes. Time per
    page is measured inside the worker around each extractor alone."""
    if processes <= 1:
        warm_up(extractors)
        return [score_page(page, extractors) for page in pages]
    with get_context("spawn").Pool(processes, initializer=warm_up, initargs=(extractors,)) as pool:
        return pool.starmap(score_page, [(page, extractors) for page in pages], chunksize=8)


@dataclass
class CorpusScore:
    precision: float
    recall: float
    f1: float
    ms_per_page: float
    empty: int


def corpus_scores(results: list[PageResult], corpus: str | None, extractor: str) -> CorpusScore:
    chosen = [r for r in results if corpus in (None, r.corpus)]
    totals = [sum(r.counts[extractor][i] for r in chosen) for i in range(3)]
    ms = 1000 * sum(r.seconds[extractor] for r in chosen) / max(len(chosen), 1)
    return CorpusScore(*prf(*totals), ms, sum(r.chars[extractor] == 0 for r in chosen))


def junk_pages(results: list[PageResult]) -> list[PageResult]:
    return [r for r in results if r.f1("vistka") < JUNK_F1 and r.f1("trafilatura") >= GOOD_F1]


def gate_figures(results: list[PageResult]) -> dict[str, float]:
    """The figures bench/baselines/extract_real.json pins (quality only: times vary by machine)."""
    return {
        "traf_eval_f1": round(corpus_scores(results, "trafilatura-eval", "vistka").f1, 4),
        "readability_f1": round(corpus_scores(results, "readability-test-pages", "vistka").f1, 4),
        "junk_pages": len(junk_pages(results)),
    }
