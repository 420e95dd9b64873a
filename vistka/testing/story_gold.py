"""Gold story labels of the sample corpus, in English, and the scores the story evaluation reports.

The Ukrainian sample articles carry an `en:` block in their corpus YAML (title, lead, text written by
us in English): the site clusters translations, so the evaluation clusters English text too, and the
random-weight test model cannot produce real translations. English outlets' articles are used as
they are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from pathlib import Path

import yaml

from vistka.pipeline.stories import Doc, StoryIndex, StoryParams

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@dataclass
class GoldArticle:
    doc: Doc
    story: str
    outlet: str
    language: str
    near_duplicate_of: str | None


def load_gold_articles(samples: Path = SAMPLES, left_out: list[str] | None = None) -> list[GoldArticle]:
    """Every corpus article that can be read in English, sorted by publication time. Articles in
    another language without an `en:` reference text are left out and their ids added to `left_out`."""
    languages = {o["slug"]: o["language"] for o in yaml.safe_load((samples / "outlets.yaml").read_text("utf-8"))}
    found = []
    for path in sorted((samples / "corpus").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        slug = doc["story"]["slug"]
        for raw in doc["articles"]:
            article_id = raw.get("id") or f"{raw['outlet']}-{slug}"
            english = _english_doc(article_id, raw, languages[raw["outlet"]])
            if english is None:
                if left_out is not None:
                    left_out.append(article_id)
                continue
            found.append(GoldArticle(english, slug, raw["outlet"], languages[raw["outlet"]],
                                     raw.get("near_duplicate_of")))
    return sorted(found, key=lambda item: (item.doc.published, item.doc.id))


def _english_doc(article_id: str, raw: dict, language: str) -> Doc | None:
    if language == "en":
        title, lead, text = raw["title"], raw.get("lead", ""), " ".join(raw["paragraphs"])
    elif "en" in raw:
        title, lead, text = raw["en"]["title"], raw["en"].get("lead", ""), raw["en"]["text"]
    else:
        return None
    published = datetime.fromisoformat(str(raw["published"]))
    return Doc(id=article_id, title=" ".join(title.split()), lead=" ".join(lead.split()),
               text=" ".join(text.split()), published=published, source=raw["outlet"], lang="en")


@dataclass
class Scores:
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    dup_precision: float
    dup_recall: float
    articles: int
    gold_stories: int
    predicted_stories: int


def together(groups: dict[str, str]) -> set[frozenset[str]]:
    """All unordered pairs of items that share a group."""
    members: dict[str, list[str]] = defaultdict(list)
    for item, group in groups.items():
        members[group].append(item)
    return {frozenset(pair) for items in members.values() for pair in combinations(sorted(items), 2)}


def duplicate_groups(links: dict[str, str | None]) -> dict[str, str]:
    """Each article that is a copy (or has copies), mapped to the original its chain leads to."""
    groups = {}
    for item, original in links.items():
        if original:
            root = original
            while links.get(root):
                root = links[root]
            groups[item] = groups[root] = root
    return groups


def _ratio(hit: int, total: int) -> float:
    return hit / total if total else 1.0


def evaluate(params: StoryParams | None = None, articles: list[GoldArticle] | None = None) -> Scores:
    """Cluster the gold articles in publication order, exactly as ingest does, and score the result."""
    articles = articles if articles is not None else load_gold_articles()
    index = StoryIndex(params or StoryParams())
    predicted_dups = {}
    for item in articles:
        predicted_dups[item.doc.id] = index.assign(item.doc).duplicate_of
    gold_pairs = together({a.doc.id: a.story for a in articles})
    predicted_pairs = together({doc_id: entry.story for doc_id, entry in index.entries.items()})
    hit = len(gold_pairs & predicted_pairs)
    precision, recall = _ratio(hit, len(predicted_pairs)), _ratio(hit, len(gold_pairs))
    gold_dup = together(duplicate_groups({a.doc.id: a.near_duplicate_of for a in articles}))
    found_dup = together(duplicate_groups(predicted_dups))
    return Scores(
        pairwise_precision=precision, pairwise_recall=recall,
        pairwise_f1=2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        dup_precision=_ratio(len(gold_dup & found_dup), len(found_dup)),
        dup_recall=_ratio(len(gold_dup & found_dup), len(gold_dup)),
        articles=len(articles), gold_stories=len({a.story for a in articles}),
        predicted_stories=len(index.stories),
    )


# -- real news: gva-longtail (../shared/corpora/, never copied into the repository) --------------

CORPORA = Path(__file__).resolve().parent.parent.parent.parent / "shared" / "corpora"
GVA_FILE = "gva-longtail.jsonl.xz"


def corpora_dir() -> Path:
    """Where the real corpora live: VISTKA_CORPORA, else ../shared/corpora/ from the repository root."""
    import os

    return Path(os.environ.get("VISTKA_CORPORA") or CORPORA)


@dataclass
class RealArticle:
    doc: Doc
    story: str


def load_gva(path: Path | None = None, limit: int | None = None) -> list[RealArticle]:
    """gva-longtail's reports as Docs (bare dates read as midnight UTC, the CLI's rule), in file order;
    `limit` keeps the first that many. Raises FileNotFoundError where the corpus is absent."""
    import json
    import lzma

    from vistka.cli.stories import parse_doc

    path = path or corpora_dir() / GVA_FILE
    found = []
    with lzma.open(path, "rt", encoding="utf-8") as lines:
        for raw in lines:
            item = json.loads(raw)
            doc = parse_doc({"id": item["id"], "title": item.get("title"), "text": item.get("text") or "",
                             "published": item["date"], "source": item.get("source") or "",
                             "lang": item.get("lang") or ""})
            found.append(RealArticle(doc, str(item["cluster"])))
            if limit and len(found) >= limit:
                break
    return found


@dataclass
class Pairwise:
    precision: float
    recall: float
    f1: float
    stories: int


def pairwise(gold: dict[str, str], predicted: dict[str, str]) -> Pairwise:
    """Pairwise precision/recall/F1 of a predicted partition against gold (the corpora README's rule)."""
    gold_pairs, predicted_pairs = together(gold), together(predicted)
    hit = len(gold_pairs & predicted_pairs)
    precision, recall = _ratio(hit, len(predicted_pairs)), _ratio(hit, len(gold_pairs))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Pairwise(precision, recall, f1, len(set(predicted.values())))


def cluster_in_order(docs: list[Doc], params: StoryParams | None = None) -> dict[str, str]:
    """Each article's story when the articles are decided in publication order (ties by id), as
    `vistka stories cluster` and settling decide them."""
    index = StoryIndex(params or StoryParams())
    for doc in sorted(docs, key=lambda d: (d.published, d.id)):
        index.assign(doc)
    return {doc_id: entry.story for doc_id, entry in index.entries.items()}


def gva_slice(articles: list[RealArticle], count: int = 240) -> list[RealArticle]:
    """A dense slice of gva-longtail: the `count` reports of the busiest stretch of days, so that
    look-alike incidents (same kind of event, other town or day) meet inside the story window."""
    ordered = sorted(articles, key=lambda item: (item.doc.published, item.doc.id))
    best, start = 0, 0
    for i in range(0, max(1, len(ordered) - count + 1), max(1, count // 4)):
        window = ordered[i:i + count]
        span = (window[-1].doc.published - window[0].doc.published).total_seconds() or 1.0
        density = len(window) / span
        if density > best:
            best, start = density, i
    return ordered[start:start + count]


def arrive_and_settle(docs: list[Doc], order: list[int], cuts: list[int],
                      params: StoryParams | None = None) -> dict[str, str]:
    """Ingest as it happens: the articles arrive in `order`, in batches ending at `cuts`; each is
    decided on arrival, and each batch is settled (StoryIndex.settle) when it is in."""
    index = StoryIndex(params or StoryParams())
    bounds = [0, *sorted({c for c in cuts if 0 < c < len(order)}), len(order)]
    for low, high in zip(bounds, bounds[1:], strict=False):
        batch = [docs[i] for i in order[low:high]]
        for doc in batch:
            index.assign(doc)
        index.settle([doc.id for doc in batch])
    return {doc_id: entry.story for doc_id, entry in index.entries.items()}


def same_partition(a: dict[str, str], b: dict[str, str]) -> bool:
    return a.keys() == b.keys() and together(a) == together(b)


def order_stable(docs: list[Doc], params: StoryParams | None = None, tries: int = 3, seed: int = 16) -> bool:
    """Do random arrival orders (in random batches, settled) end in the publication-order partition?"""
    import random

    rng = random.Random(seed)
    expected = cluster_in_order(docs, params)
    for _ in range(tries):
        order = list(range(len(docs)))
        rng.shuffle(order)
        cuts = sorted(rng.sample(range(1, len(docs)), k=min(3, len(docs) - 1))) if len(docs) > 1 else []
        if not same_partition(arrive_and_settle(docs, order, cuts, params), expected):
            return False
    return True
