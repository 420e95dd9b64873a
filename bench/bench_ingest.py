"""make bench-ingest: the embedded pipeline's throughput on real pages, against plain trafilatura.

The 990 real pages of the trafilatura evaluation corpus (original bytes; bench/corpus_outlets.py) are
served by local outlets with RSS feeds and ingested by the embedded default — `run_once`, as `vistka
fetch` runs it, translation off, into a fresh data dir (whose cache/ is kept between runs, as a
deployment's is) — in a process of its own (the embedded process whose memory is reported). Plain
`trafilatura.extract` runs over the same bytes in one process, once before the ingest and once
after it: the baseline is their mean rate, because a shared machine's speed drifts over the minutes
a run takes (a warning says when it drifted much). vistka's time covers everything: feed polling,
HTTP fetches, decoding, extraction, language, storage, search index, stories, related posts and
publishing; trafilatura's, extraction alone.

Prints pages/s for both (vistka's counts only the pages that went through: published, or held for
an editor's review; failures are counted and their reasons printed), the per-stage split (work
summed over threads and processes), each page's time from the start of its fetch to its publication
(p50/p99), peak RSS, how busy the cores were and with what (vistka, these outlets, idle), and one
RESULT line.
ARGS=--synthetic: the generated 1.5 KB pages of bench/synthetic_outlets.py instead.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGETS = {"ratio": 0.8, "publish_p99_s": 5.0, "rss_mb": 250.0}
DRIFT_WARNING = 0.15  # trafilatura's rates before and after the ingest further apart than this: a warning


def configure_django(data_dir: str) -> None:
    # Our own local server: no politeness delay (outlets get VISTKA_FETCH_HOST_DELAY, 1 s by default),
    # and as many requests at once as to several outlets (all of ours are on 127.0.0.1).
    os.environ.update(VISTKA_DATA_DIR=data_dir, VISTKA_FETCH_ALLOW_HOSTS="127.0.0.1", VISTKA_FETCH_HOST_DELAY="0",
                      VISTKA_FETCH_HOST_CONCURRENCY="8", VISTKA_TRANSLATION_ENGINE="none",
                      VISTKA_PUBLISH_UNTRANSLATED="1", DJANGO_SETTINGS_MODULE="vistka.config.settings")
    for name in ("VISTKA_DATABASE_URL", "VISTKA_BROKER_URL"):
        os.environ.pop(name, None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


# What a deployment's data dir keeps from its first start (the unpacked language model): kept between
# runs, so that a run measures a `vistka fetch` of a deployment that has run before, not its first start.
CACHE = Path(__file__).resolve().parent.parent / ".corpora" / "cache"


def share_the_cache(data_dir: Path) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    (data_dir / "cache").symlink_to(CACHE, target_is_directory=True)


# --- the embedded process ------------------------------------------------------------------------------

def ingest(feeds: list[tuple[str, str]]) -> dict:
    """In the embedded process: one run_once over these (homepage, feed URL) outlets, timed by stage."""
    data_dir = tempfile.mkdtemp(prefix="vistka-bench-ingest-")
    atexit.register(shutil.rmtree, data_dir, True)  # a fresh data dir each run, not left behind
    share_the_cache(Path(data_dir))
    configure_django(data_dir)
    from vistka.core.models import Article, ArticleStatus, Source
    from vistka.pipeline import extractpool, stagetimes
    from vistka.pipeline.garbage import tune_for_the_pipeline
    from vistka.pipeline.run import run_once

    sources = [Source.objects.create(name=f"Outlet {n}", homepage=homepage, feed_url=feed, language="en")
               for n, (homepage, feed) in enumerate(feeds)]
    tune_for_the_pipeline()  # as `vistka fetch` does
    rss_before, cpu_before = _rss_mb(), _cpu_s("self")
    with stagetimes.recording() as recorder:
        started, started_at = time.perf_counter(), time.time()
        run_once(sources)
        seconds, ended_at = time.perf_counter() - started, time.time()
    own_rss = _rss_mb()
    running = extractpool._POOL._processes if extractpool._POOL is not None else {}  # noqa: SLF001 - bench only
    pool_pids = list(running or {})
    children_rss = max((_rss_mb(pid) for pid in pool_pids), default=0.0)
    children_now = [_memory_now_mb(pid) for pid in pool_pids]
    cpu = {"embedded": _cpu_s("self") - cpu_before, "extraction": sum(_cpu_s(pid) for pid in pool_pids)}
    extractpool.shutdown()
    latencies = sorted(recorder.published[url] - recorder.fetch_started[url]
                       for url in recorder.published if url in recorder.fetch_started)
    statuses = dict(Article.objects.values_list("status").annotate(n=__import__("django").db.models.Count("id")))
    failures = Counter(error.split(":", 1)[0][:120] for error in
                       Article.objects.filter(status=ArticleStatus.FAILED).values_list("error", flat=True))
    return {"seconds": seconds, "stored": sum(statuses.values()), "published": statuses.get(ArticleStatus.PUBLISHED, 0),
            "through": statuses.get(ArticleStatus.PUBLISHED, 0) + statuses.get(ArticleStatus.IN_REVIEW, 0),
            "failures": failures.most_common(5),
            "statuses": statuses, "stages": recorder.times(), "latencies": latencies,
            "edges_s": _edges(recorder.published.values(), started_at, ended_at),
            "rss_mb": own_rss, "rss_before_mb": rss_before, "pool_rss_mb": children_rss, "cpu_s": cpu,
            "pool_now_mb": [sum(column) for column in zip(*children_now, strict=True)] if children_now else [],
            "processes": extractpool.process_count()}


def _edges(published, started_at: float, ended_at: float) -> list[float]:
    """The run's wall time outside its steady flow: from its start to the first publication (the
    extraction processes start), and from the last publication to its end (the pass's last steps:
    held articles, settling)."""
    published = sorted(published)
    return [published[0] - started_at, ended_at - published[-1]] if published else []


def _memory_now_mb(pid: int) -> tuple[float, float]:
    """A process's resident memory now and its proportional share of it (PSS: a page that n processes
    share counts 1/n in each), from smaps_rollup; (0, 0) where there is none."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0.0, 0.0
    return tuple(int(re.search(rf"^{field}:\s+(\d+) kB", rollup, re.M).group(1)) / 1024 for field in ("Rss", "Pss"))


def _rss_mb(pid: int | str = "self") -> float:
    """Peak resident memory of a process: VmHWM, its own memory's high-water mark. Not getrusage's
    ru_maxrss: Linux carries that across fork and exec, so a process started by this bench (which holds
    the corpus: 300 MB) reported the bench's peak as its own."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # not Linux: the best there is
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if pid == "self" else 0.0
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def _cpu_s(pid: int | str) -> float:
    """CPU seconds (user + system, all threads) a process has used so far (Linux; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the benchmark ---------------------------------------------------------------------------------------

def time_trafilatura(pages: list[bytes], urls: list[str]) -> float:
    import trafilatura

    started = time.perf_counter()
    for page, url in zip(pages, urls, strict=True):
        trafilatura.extract(page, url=url)
    return time.perf_counter() - started


def run_embedded(feeds: list[tuple[str, str]], processes: str | None) -> dict:
    """The embedded process's result; with `outlets_cpu_s`, the CPU this process spent meanwhile: only the
    outlets' serving threads work here while it waits."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    if processes is not None:
        env["VISTKA_EXTRACT_PROCESSES"] = processes
    serving_before = _cpu_s("self")
    done = subprocess.run([sys.executable, "-m", "bench.bench_ingest", "--embedded", json.dumps(feeds)],
                          env=env, capture_output=True, text=True, check=False)
    serving = _cpu_s("self") - serving_before
    found = [line for line in done.stdout.splitlines() if line.startswith("INGEST ")]
    if done.returncode != 0 or not found:
        sys.exit(f"the embedded run failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return {**json.loads(found[-1].removeprefix("INGEST ")), "outlets_cpu_s": serving}


def percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(p / 100 * len(values)))] if values else float("nan")


def report(kind: str, result: dict, pages: int, trafilatura_seconds: list[float]) -> None:
    """Print the run's tables, targets and RESULT line; `trafilatura_seconds`: plain trafilatura's
    time over the same pages, each time it was measured (before the ingest, after it)."""
    from vistka.pipeline.extractpool import cpu_cores
    from vistka.pipeline.stagetimes import STAGES

    # Only the pages that went all the way (published, or held for an editor's review) count: a run
    # whose pages fail fast is no fast run.
    handled = result.get("through", result["stored"])
    rates = [pages / seconds for seconds in trafilatura_seconds]
    ours, theirs = handled / result["seconds"], sum(rates) / len(rates)
    print(f"\n{kind}: {pages} pages; embedded pipeline with {result['processes']} extraction process(es), "
          f"translation off\n")
    print(f"{'':52} {'pages':>6} {'seconds':>8} {'pages/s':>8}")
    print(f"{'vistka embedded (poll, fetch ... publish)':52} {handled:>6} {result['seconds']:>8.1f} {ours:>8.1f}")
    for when, seconds, rate in zip(_baseline_labels(len(rates)), trafilatura_seconds, rates, strict=True):
        print(f"{'plain trafilatura.extract (bytes in memory)' + when:52} {pages:>6} {seconds:>8.1f} {rate:>8.1f}")
    if len(rates) > 1:
        print(f"{'plain trafilatura.extract, the mean rate':52} {'':>6} {'':>8} {theirs:>8.1f}")
        drift = max(rates) / min(rates) - 1
        if drift > DRIFT_WARNING:
            print(f"\nwarning: trafilatura's rate changed by {drift:.0%} between before and after the ingest: the "
                  "machine's speed drifted during the run, and the ratio is less certain than its digits")
    print(f"\narticles: {json.dumps(result['statuses'])}")
    failed = result["stored"] - handled
    if failed:
        print(f"{failed} page(s) did not go through, most often: "
              + "; ".join(f"{reason} ({count})" for reason, count in result.get("failures", [])))
    print("\nwork per stage (summed over threads and processes; fetch: feeds, pages and pictures over HTTP; "
          "pictures: decoding, resizing and storing them; wall: including waits for the network and for a "
          "core, CPU: the stage's own work):")
    print(f"{'stage':<10}{'wall s':>9}{'ms/page':>9}{'CPU s':>9}{'ms/page':>9}{'CPU share':>10}")
    stages = result["stages"]
    spent_cpu = sum(cpu for _, cpu in stages.values())
    all_cpu = sum(result.get("cpu_s", {}).values())
    total = max(all_cpu, spent_cpu) or 1.0
    rows = [(name, *stages.get(name, (0.0, 0.0))) for name in STAGES]
    if all_cpu:
        # Work outside every stage: process start-ups, feed parsing, hand-overs, threads.
        rows.append(("no stage", None, max(all_cpu - spent_cpu, 0.0)))
    for name, wall, cpu in rows:
        walls = f"{wall:>9.2f}{wall * 1000 / max(handled, 1):>9.1f}" if wall is not None else f"{'':>18}"
        print(f"{name:<10}{walls}{cpu:>9.2f}{cpu * 1000 / max(handled, 1):>9.1f}{cpu / total:>10.0%}")
    latencies = result["latencies"]
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    print(f"\nfrom a page's fetch to its publication ({len(latencies)} pages): p50 {p50:.2f} s, p99 {p99:.2f} s")
    if result.get("edges_s"):
        first, last = result["edges_s"]
        print(f"first publication {first:.2f} s after the start; the run ended {last:.2f} s after the last one "
              f"(held articles, settling)")
    cpu = result.get("cpu_s", {})
    if cpu:
        # The one process that writes the database also runs the fetching threads: its CPU a page bounds
        # the rate (one core, one GIL); the extraction processes' share shows how busy they were.
        print(f"CPU a page: embedded process {cpu['embedded'] * 1000 / max(handled, 1):.1f} ms "
              f"({cpu['embedded'] / result['seconds']:.0%} of one core), extraction processes "
              f"{cpu['extraction'] * 1000 / max(handled, 1):.1f} ms "
              f"({cpu['extraction'] / result['seconds'] / max(result['processes'], 1):.0%} of a core each)")
        # With every core busy all the time, the CPU a page would allow this rate and no more.
        cores = cpu_cores()
        spent = (cpu["embedded"] + cpu["extraction"]) / max(handled, 1)
        if spent > 0:
            print(f"CPU ceiling: {cores} core(s) / {spent * 1000:.1f} ms a page = {cores / spent:.1f} pages/s "
                  f"at most, a ratio of {cores / spent / theirs:.2f}")
        if result.get("outlets_cpu_s") is not None:
            _print_core_use(cpu["embedded"] + cpu["extraction"], result["outlets_cpu_s"], result["seconds"], cores,
                            handled)
        # More cores give more extraction processes, never a second writer: its CPU a page bounds the
        # rate on any machine.
        writer = cpu["embedded"] / max(handled, 1)
        if writer > 0:
            print(f"writer ceiling: the embedded process at {writer * 1000:.1f} ms a page = {1 / writer:.1f} pages/s "
                  f"at most on any number of cores, a ratio of {1 / writer / theirs:.2f}")
    print(f"peak RSS: embedded process {result['rss_mb']:.0f} MB (after Django start-up {result['rss_before_mb']:.0f} MB); "
          f"largest extraction process {result['pool_rss_mb']:.0f} MB")
    if result.get("pool_now_mb"):
        rss, pss = result["pool_now_mb"]
        print(f"the extraction processes at the end: {rss:.0f} MB resident together, {pss:.0f} MB their own "
              "(proportional set size: the pages they share, the language model's, counted once)")
    results = {"pages_per_s": ours, "trafilatura_pages_per_s": theirs, "ratio": ours / theirs,
               "publish_p99_s": p99, "rss_mb": result["rss_mb"]}
    print(f"target every page through (published or held): {'met' if not failed else 'MISSED'} ({failed} failed)")
    for key, target in TARGETS.items():
        met = results[key] >= target if key == "ratio" else results[key] <= target
        print(f"target {key} {'>=' if key == 'ratio' else '<='} {target}: {'met' if met else 'MISSED'} "
              f"({results[key]:.2f})")
    print("RESULT " + " ".join(f"{key}={value:.2f}" if key != "rss_mb" else f"{key}={value:.0f}"
                               for key, value in results.items()) + f" failed={failed}")


def _print_core_use(vistka: float, outlets: float, seconds: float, cores: int, handled: int) -> None:
    """How busy the cores were over the run, and with what: the rate falls short of the CPU ceiling by
    the bench's own outlets' work (they serve from this machine; real outlets serve from theirs) and by
    the time cores stood idle (start-up, the last pages)."""
    available = seconds * cores or 1.0
    idle = max(available - vistka - outlets, 0.0)
    print(f"the bench's outlets (feeds, pages and pictures served on the same cores): "
          f"{outlets * 1000 / max(handled, 1):.1f} ms a page; of the cores' time over the run: vistka "
          f"{vistka / available:.0%}, the outlets {outlets / available:.0%}, idle {idle / available:.0%}")


def _baseline_labels(count: int) -> list[str]:
    return [""] if count == 1 else [", before", ", after"] if count == 2 else [f", run {n + 1}" for n in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic", action="store_true", help="generated 1.5 KB pages instead of real ones")
    parser.add_argument("--sources", type=int, default=20, help="synthetic outlets")
    parser.add_argument("--per-source", type=int, default=100, help="pages per synthetic outlet")
    parser.add_argument("--outlets", type=int, default=10, help="local outlets serving the real pages")
    parser.add_argument("--limit", type=int, default=0, help="real pages to use (0: all 990)")
    parser.add_argument("--processes", default=None,
                        help="VISTKA_EXTRACT_PROCESSES for the embedded run (default: the setting's default)")
    parser.add_argument("--embedded", help=argparse.SUPPRESS)  # internal: the embedded process
    args = parser.parse_args()
    if args.embedded:
        print("INGEST " + json.dumps(ingest(json.loads(args.embedded))), flush=True)
        return
    if args.synthetic:
        from bench.synthetic_outlets import SyntheticOutlets

        with SyntheticOutlets(args.sources, args.per_source) as outlets:
            numbers = [(s, n) for s in range(args.sources) for n in range(args.per_source)]
            urls = [f"{outlets.homepage(s)}a{n}.html" for s, n in numbers]
            pages = [outlets.page(s, n).encode() for s, n in numbers]
            before = time_trafilatura(pages, urls)
            result = run_embedded([(outlets.homepage(s), outlets.feed_url(s)) for s in range(args.sources)],
                                  args.processes)
        report("synthetic pages", result, len(pages), [before, time_trafilatura(pages, urls)])
        return
    from bench.corpus_outlets import CorpusOutlets, corpus_pages

    pages = corpus_pages(args.limit or None)
    with CorpusOutlets(pages, args.outlets) as outlets:
        urls = [outlets.page_url(n) for n in range(len(pages))]
        pages = outlets.pages  # as served: their outside addresses point at the local outlets
        before = time_trafilatura(pages, urls)
        result = run_embedded([(outlets.homepage(o), outlets.feed_url(o)) for o in range(args.outlets)],
                              args.processes)
    report("real pages (trafilatura evaluation corpus)", result, len(pages),
           [before, time_trafilatura(pages, urls)])


if __name__ == "__main__":
    main()
