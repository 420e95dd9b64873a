"""`make eval-extract-real`: vistka, plain trafilatura and readability-lxml on the real-page corpora
(../shared/corpora or VISTKA_CORPORA), scored the corpora README's way; see vistka/testing/real_corpora.py.

    python bench/eval_extract_real.py                    # tables + RESULT line
    python bench/eval_extract_real.py --write-baseline   # raise the floors in bench/baselines/extract_real.json

Floors only go up unless --allow-lower is given, so a regression cannot be hidden by re-pinning.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time

from vistka.testing.real_corpora import (
    BASELINE_PATH,
    CORPORA,
    EXTRACTORS,
    corpus_scores,
    evaluate_real,
    gate_figures,
    junk_pages,
    load_real_pages,
    missing_corpora,
)


def print_tables(results: list) -> None:
    for corpus in CORPORA:
        count = sum(r.corpus == corpus for r in results)
        metric = "snippets" if corpus == "trafilatura-eval" else "4-gram shingles"
        print(f"\n{corpus}: {count} pages ({metric}, micro)\n")
        print(f"{'extractor':<14}{'precision':>10}{'recall':>10}{'f1':>10}{'empty':>8}{'ms/page':>10}")
        for name in EXTRACTORS:
            s = corpus_scores(results, corpus, name)
            print(f"{name:<14}{s.precision:>10.3f}{s.recall:>10.3f}{s.f1:>10.3f}{s.empty:>8}{s.ms_per_page:>10.1f}")
        methods: dict[str, int] = {}
        for r in results:
            if r.corpus == corpus:
                methods[r.method or "none"] = methods.get(r.method or "none", 0) + 1
        print("vistka body from: " + ", ".join(f"{k} {v}" for k, v in sorted(methods.items(), key=lambda i: -i[1])))


def reason(result) -> str:
    tp, fp, fn = result.counts["vistka"]
    if result.chars["vistka"] == 0:
        return "empty: no article text found"
    if result.chars["vistka"] < 0.5 * max(result.chars["trafilatura"], 1) and fn > tp:
        return "too short: article text missed"
    if fn > fp:
        return "missed article text"
    if fp > tp:
        return "boilerplate kept"
    return "partly wrong"


def print_worst(results: list, count: int = 10) -> None:
    print(f"\nThe {count} worst pages for vistka (F1 lost against the best other extractor)\n")
    print(f"{'corpus':<24}{'page':<44}{'vistka':>8}{'traf.':>8}{'read.':>8}  reason (method)")
    worst = sorted(results, key=lambda r: r.f1("vistka") - max(r.f1("trafilatura"), r.f1("readability")))[:count]
    for r in worst:
        print(f"{r.corpus:<24}{r.name[:42]:<44}{r.f1('vistka'):>8.3f}{r.f1('trafilatura'):>8.3f}"
              f"{r.f1('readability'):>8.3f}  {reason(r)} ({r.method or 'none'})")


def write_baseline(figures: dict, allow_lower: bool) -> None:
    old = json.loads(BASELINE_PATH.read_text()) if BASELINE_PATH.exists() else {}
    floors = {"traf_eval_f1": round(figures["traf_eval_f1"] - 0.002, 3),
              "readability_f1": round(figures["readability_f1"] - 0.002, 3),
              "junk_pages_max": figures["junk_pages"]}
    old_floors = old.get("floors", {})
    lowered = [key for key, value in floors.items() if key != "junk_pages_max" and value < old_floors.get(key, 0)]
    if floors["junk_pages_max"] > old_floors.get("junk_pages_max", floors["junk_pages_max"]):
        lowered.append("junk_pages_max")
    if lowered and not allow_lower:
        sys.exit(f"refusing to lower floors {lowered}; fix the regression or pass --allow-lower")
    BASELINE_PATH.write_text(json.dumps({"floors": floors, "measured": figures}, indent=2) + "\n")
    print(f"wrote {BASELINE_PATH}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--write-baseline", action="store_true")
    parser.add_argument("--allow-lower", action="store_true")
    parser.add_argument("--dump", metavar="FILE", help="write every page's counts and methods as JSON lines")
    args = parser.parse_args()
    if missing := missing_corpora():
        sys.exit(f"corpora missing: {missing}; put them in ../shared/corpora or set VISTKA_CORPORA")
    started = time.perf_counter()
    results = evaluate_real(load_real_pages(), processes=args.processes)
    if args.dump:
        with open(args.dump, "w") as out:
            out.writelines(json.dumps(dataclasses.asdict(r), ensure_ascii=False) + "\n" for r in results)
    print_tables(results)
    print_worst(results)
    junk = junk_pages(results)
    print(f"\njunk pages (vistka F1 < 0.5 where trafilatura >= 0.8): {len(junk)}"
          + "".join(f"\n  {r.corpus}/{r.name}: {r.f1('vistka'):.3f} vs {r.f1('trafilatura'):.3f}" for r in junk))
    figures = gate_figures(results)
    vistka, plain = corpus_scores(results, None, "vistka"), corpus_scores(results, None, "trafilatura")
    print(f"\nvistka time per page is {vistka.ms_per_page / plain.ms_per_page:.2f}x plain trafilatura's "
          f"(run took {time.perf_counter() - started:.0f} s on {args.processes} processes)")
    if args.write_baseline:
        write_baseline(figures, args.allow_lower)
    print(f"RESULT traf_eval_f1={figures['traf_eval_f1']:.4f} readability_f1={figures['readability_f1']:.4f} "
          f"junk_pages={figures['junk_pages']} ms_per_page={vistka.ms_per_page:.1f} "
          f"trafilatura_ms_per_page={plain.ms_per_page:.1f}")


if __name__ == "__main__":
    main()
