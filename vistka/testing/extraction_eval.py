"""Extraction evaluation on the gold sample pages: vistka side by side with plain trafilatura and
readability-lxml, on the same page bytes.

Body score: precision/recall/F1 of word 4-gram shingles (multiset overlap) of normalised tokens, the
measure of the public article-extraction benchmarks; averaged over pages. Title, author and image
accuracy are exact matches; `date` compares the calendar day (all that plain trafilatura returns),
`datetime` the exact instant with its offset. bench/eval_extract.py prints it; tests/pipeline/extract/test_extract_gate.py
holds vistka to the floors in bench/baselines/extract.json.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from statistics import mean

import httpx

from vistka.pipeline.extract import extract_article
from vistka.pipeline.extract.structured import parse_datetime
from vistka.samples import load_gold

SHINGLE = 4
FIELDS = ("title", "date", "datetime", "authors", "image")


@dataclass
class Page:
    gold: dict
    url: str
    content: bytes
    encoding: str | None


@dataclass
class Output:
    text: str
    title: str = ""
    published: datetime | None = None
    day: str | None = ""  # YYYY-MM-DD from extractors that give no time; None: no date at all
    authors: list[str] | None = None
    image: str | None = None


@dataclass
class Score:
    pages: list[dict] = field(default_factory=list)  # per page: outlet, precision, recall, f1, fields
    seconds: float = 0.0

    def mean(self, key: str, outlet: str | None = None) -> float:
        values = [page[key] for page in self.pages if outlet in (None, page["outlet"]) and page[key] is not None]
        return mean(values) if values else float("nan")

    @property
    def ms_per_page(self) -> float:
        return 1000 * self.seconds / max(len(self.pages), 1)


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str) -> Counter:
    words = tokens(text)
    if len(words) < SHINGLE:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def body_scores(extracted: str, expected: str) -> tuple[float, float, float]:
    got, want = shingles(extracted), shingles(expected)
    shared = sum((got & want).values())
    precision = shared / sum(got.values()) if got else 0.0
    recall = shared / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def expected_text(gold: dict) -> str:
    """What a reader should see: the standfirst (when it is not the first body paragraph) and the body."""
    return "\n".join(gold["paragraphs"] if gold["lead_in_body"] else [gold["lead"], *gold["paragraphs"]])


def load_pages(base_url: str) -> list[Page]:
    pages = []
    with httpx.Client(timeout=10) as client:
        for gold in load_gold(base_url):
            response = client.get(gold["url"])
            response.raise_for_status()
            pages.append(Page(gold, str(response.url), response.content, response.charset_encoding))
    return pages


def run_vistka(page: Page, use_rules: bool = True) -> Output:
    result = extract_article(page.content, page.url, encoding=page.encoding, use_rules=use_rules)
    shown = result.text if result.lead and result.lead in result.text else f"{result.lead}\n{result.text}"
    return Output(shown, result.title, result.published, "", result.authors, result.image)


def run_trafilatura(page: Page) -> Output:
    import trafilatura

    document = trafilatura.bare_extraction(page.content, url=page.url, with_metadata=True)
    if document is None:
        return Output("")
    authors = [name.strip() for name in re.split(r";|,| and ", document.author or "") if name.strip()]
    return Output(document.text or "", document.title or "", None, document.date or "", authors,
                  document.image or "")


def run_readability(page: Page) -> Output:
    import lxml.html
    from readability import Document

    document = Document(page.content, url=page.url)
    summary = lxml.html.document_fromstring(document.summary(html_partial=True) or "<div></div>")
    return Output(summary.text_content(), document.short_title() or "", day=None)


EXTRACTORS: dict[str, Callable[[Page], Output]] = {
    "vistka": run_vistka,
    "vistka-generic": lambda page: run_vistka(page, use_rules=False),
    "trafilatura": run_trafilatura,
    "readability": run_readability,
}


def score_page(page: Page, output: Output) -> dict:
    gold = page.gold
    precision, recall, f1 = body_scores(output.text, expected_text(gold))
    published = parse_datetime(gold["published"])
    day = (output.published.date().isoformat() if output.published else output.day) or ""
    return {
        "id": gold["id"], "outlet": gold["outlet"], "precision": precision, "recall": recall, "f1": f1,
        "title": float(" ".join(output.title.split()) == gold["title"]),
        "date": None if output.day is None else float(day == published.date().isoformat()),
        "datetime": None if output.published is None and output.day != "" else float(output.published == published),
        "authors": None if output.authors is None else float(output.authors == gold["authors"]),
        "image": None if output.image is None else float(output.image == gold["image"]),
    }


def evaluate(pages: list[Page], names: tuple[str, ...] = tuple(EXTRACTORS), repeats: int = 1) -> dict[str, Score]:
    """Score each extractor; time is the fastest of `repeats` passes (the machine is shared)."""
    scores = {}
    for name in names:
        extractor = EXTRACTORS[name]
        best, outputs = float("inf"), []
        for _ in range(repeats):
            started = time.perf_counter()
            outputs = [extractor(page) for page in pages]
            best = min(best, time.perf_counter() - started)
        scores[name] = Score([score_page(page, output) for page, output in zip(pages, outputs, strict=True)], best)
    return scores


BASELINE_PATH = Path(__file__).resolve().parents[2] / "bench" / "baselines" / "extract.json"


def gate_figures(scores: dict[str, Score]) -> dict[str, float]:
    """The figures the CI gate pins (vistka's, with and without rules)."""
    vistka, generic = scores["vistka"], scores["vistka-generic"]
    figures = {key: vistka.mean(key) for key in ("f1", "precision", "recall", "title", "datetime", "authors", "image")}
    figures["generic_f1"] = generic.mean("f1")
    return {key: round(value, 4) for key, value in figures.items()}
