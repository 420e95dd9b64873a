"""`make eval-stories`: story clustering and duplicate detection scored against the gold sample corpus.

Prints the scores at the configured thresholds, how they move with the join threshold, whether the
hard-negative story pairs stayed apart, and ends with one RESULT line. Exits 1 below the floors in
bench/baselines/stories.json.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

from vistka.pipeline.stories import StoryIndex, StoryParams
from vistka.testing.story_gold import evaluate, load_gold_articles

BASELINE = Path(__file__).resolve().parent / "baselines" / "stories.json"
KEYS = ("pairwise_f1", "pairwise_precision", "pairwise_recall", "dup_precision", "dup_recall")


def hard_negative_report(articles, params: StoryParams) -> list[tuple[str, str, bool]]:
    """For each gold hard-negative pair of stories: did any predicted story mix them?"""
    stories = json.loads((Path(__file__).resolve().parent.parent / "vistka/samples/stories.json").read_text())
    index = StoryIndex(params)
    for item in articles:
        index.assign(item.doc)
    gold = {item.doc.id: item.story for item in articles}
    mixed = set()
    for story in index.stories.values():
        slugs = {gold[m] for m in story.members}
        mixed |= {(a, b) for a in slugs for b in slugs if a < b}
    pairs = {tuple(sorted((s["story"], h))) for s in stories for h in s["hard_negatives"]}
    return [(a, b, (a, b) in mixed) for a, b in sorted(pairs)]


def main() -> int:
    left_out: list[str] = []
    articles = load_gold_articles(left_out=left_out)
    params = StoryParams.from_options()
    scores = evaluate(params, articles)
    print(f"Story evaluation: {scores.articles} articles, {scores.gold_stories} gold stories, "
          f"{scores.predicted_stories} predicted (join threshold {params.join_threshold})")
    if left_out:
        print(f"left out, no English reference text (`en:` in the corpus YAML): {', '.join(left_out)}")
    print()
    print(f"{'threshold':>9} {'precision':>9} {'recall':>7} {'F1':>6} {'stories':>7}")
    for threshold in (0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40):
        row = evaluate(replace(params, join_threshold=threshold), articles)
        mark = "  <- configured" if abs(threshold - params.join_threshold) < 1e-9 else ""
        print(f"{threshold:>9.2f} {row.pairwise_precision:>9.3f} {row.pairwise_recall:>7.3f} "
              f"{row.pairwise_f1:>6.3f} {row.predicted_stories:>7}{mark}")
    print("\nHard negatives (must stay apart):")
    for a, b, merged in hard_negative_report(articles, params):
        print(f"  {a:<24} {b:<24} {'MERGED' if merged else 'apart'}")
    floors = {k: v for k, v in json.loads(BASELINE.read_text()).items() if k in KEYS}
    values = {key: getattr(scores, key) for key in KEYS}
    print(f"\n{'metric':<20} {'value':>6} {'floor':>6}")
    for key in KEYS:
        print(f"{key:<20} {values[key]:>6.3f} {floors[key]:>6.3f}")
    print("RESULT " + " ".join(f"{key}={values[key]:.3f}" for key in KEYS))
    below = [key for key in KEYS if values[key] < floors[key]]
    if below:
        print(f"below the floor: {', '.join(below)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
