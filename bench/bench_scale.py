"""`make bench-scale`: vistka on PostgreSQL at scale, and ingest with 1 and 2 Celery workers.

1. A fresh PostgreSQL database is migrated and loaded with --articles synthetic published English
   articles (sources, stories of 1-5 articles, --per-day articles a day up to now) through COPY.
   The database is then VACUUM (ANALYZE)d, as autovacuum would have on a live site.
2. Home, article, search and RSS feed are timed in-process with Django's test client, page cache off,
   the site loaded through vistka.config.wsgi as gunicorn loads it. `--only pages` stops here
   (`--only assign` skips to step 3 and stops after it).
3. Story assignment (grouping.assign_story, as ingest calls it: this process's warm index, built once
   and brought up to date before each decision) is timed for --assign new articles.
4. Ingest throughput from a local synthetic outlet server (every response delayed --latency seconds,
   250 ms by default as from a distant outlet, so the work is I/O-bound; the workers' CPU time per
   page is printed to show it) with 1 and then 2 `vistka worker` processes on Redis; translation off.
Prints a table, peak RSS per process, and one RESULT line. The database is dropped at the end, unless
--keep (then --database NAME times the pages again on it, without loading).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vistka.config.choices import DEFAULT_CANONICAL_MODE

ADMIN_URL = os.environ.get("VISTKA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("VISTKA_BENCH_REDIS", "redis://127.0.0.1:6379/13")
TARGETS = {"page_p99_ms": 50.0, "assign_p99_ms": 20.0, "worker_scaling": 1.7}
SOURCES = 40


def main() -> None:
    args = _arguments()
    name = args.database or f"vistka_bench_{uuid.uuid4().hex[:8]}"
    database_url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    data_dir = Path(tempfile.mkdtemp(prefix="vistka-bench-scale-"))
    env = {key: value for key, value in os.environ.items() if not key.startswith("VISTKA_")}
    env.update(VISTKA_DATA_DIR=str(data_dir), VISTKA_DATABASE_URL=database_url, VISTKA_BROKER_URL=REDIS_URL,
               VISTKA_PAGE_CACHE_SECONDS="0", VISTKA_TRANSLATION_ENGINE="none", VISTKA_FETCH_HOST_DELAY="0",
               VISTKA_FETCH_HOST_CONCURRENCY="256", VISTKA_FETCH_ALLOW_HOSTS="127.0.0.1",
               VISTKA_ALLOWED_HOSTS="testserver,127.0.0.1", VISTKA_PUBLISH_UNTRANSLATED="1",
               DJANGO_SETTINGS_MODULE="vistka.config.settings", PYTHONUNBUFFERED="1")
    os.environ.update(env)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))  # still drop the database
    if not args.database:
        _admin(f'CREATE DATABASE "{name}"')
    results: dict = {}
    try:
        import django

        django.setup()
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        results["migrate_s"] = time.perf_counter() - started
        started = time.perf_counter()
        if not args.database:
            _load(database_url, args)
        results["load_s"] = time.perf_counter() - started
        print(f"loaded {args.articles:,} articles in {results['load_s']:.0f} s (migrate {results['migrate_s']:.0f} s)",
              flush=True)
        if args.only != "assign":
            results["pages"] = _pages(args)
        if args.only != "pages":
            results["assign"] = _assign(args)
        if args.only == "all":
            results["ingest"] = {workers: _ingest(env, data_dir, workers, args) for workers in (1, 2)}
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep or args.database:
            print(f"kept database {name} (--database {name} reuses it; drop it when done)")
        else:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)
    results["bench_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _report(results, args)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000,
                        help="synthetic articles (1,000,000 should load in ~2 min, but search then takes minutes a query)")
    parser.add_argument("--per-day", type=int, default=1000, help="articles a day (sets the story window's size)")
    parser.add_argument("--requests", type=int, default=200, help="requests per page (fewer if a page is slow)")
    parser.add_argument("--page-budget", type=float, default=40.0, help="seconds at most per page")
    parser.add_argument("--assign", type=int, default=200, help="new articles assigned to stories")
    parser.add_argument("--assign-budget", type=float, default=60.0, help="seconds at most for assignment")
    parser.add_argument("--outlets", type=int, default=20, help="synthetic outlets for the ingest test")
    parser.add_argument("--outlet-articles", type=int, default=20, help="articles per synthetic outlet")
    parser.add_argument("--latency", type=float, default=0.25,
                        help="seconds each outlet response is delayed (a distant outlet's; makes ingest I/O-bound)")
    parser.add_argument("--ingest-budget", type=float, default=120.0, help="seconds at most per ingest run")
    parser.add_argument("--concurrency", type=int, default=4, help="threads per worker")
    parser.add_argument("--only", choices=("all", "pages", "assign"), default="all",
                        help="pages: load and time the pages only (skip story assignment and ingest); "
                             "assign: story assignment only (with --database: a minute, to repeat it on a quiet machine)")
    parser.add_argument("--keep", action="store_true", help="keep the loaded database (to EXPLAIN queries in it)")
    parser.add_argument("--database", default="",
                        help="reuse this kept database (migrated, not loaded again; --articles must match)")
    return parser.parse_args()


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(sql)


# --- 1. the synthetic database ------------------------------------------------------------------------

def _load(database_url: str, args: argparse.Namespace) -> None:
    """COPY sources, stories and articles, build the search index, then VACUUM (ANALYZE)."""
    import psycopg

    rng = random.Random(5)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 10))) for _ in range(20_000)]
    sentences = [" ".join(rng.choices(words, k=rng.randint(10, 20))).capitalize() + "." for _ in range(5000)]
    titles = [" ".join(rng.sample(words, 7)).capitalize() for _ in range(50_000)]
    # The loaded days end a month ago: the ingest test's articles (dated now) then have story windows of
    # their own, so that ingest measures fetching, not the assignment cost measured in step 3.
    now = datetime.now(UTC) - timedelta(days=30)
    first = now - timedelta(days=args.articles / args.per_day)
    step = timedelta(days=1) / args.per_day
    far = now + timedelta(days=3650)
    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        with cursor.copy("COPY core_source (id, name, homepage, feed_url, language, licence_mode, active, "
                         "last_error, consecutive_failures, etag, last_modified, extraction_rules, review_required, "
                         "entries_per_day, last_warning, next_poll_at, translation_engine, canonical, timezone, "
                         "moved_to, moved_polls) FROM STDIN") as copy:
            for n in range(1, SOURCES + 1):
                copy.write_row((n, f"Synthetic outlet {n}", f"https://outlet{n}.example/",
                                f"https://outlet{n}.example/rss.xml", "en", "full", True, "", 0, "", "", "{}",
                                False, float(args.per_day / SOURCES), "", far, "", DEFAULT_CANONICAL_MODE, "", "", 0))
        # stories of 1-5 consecutive articles (consecutive in time: one event)
        story_of, sizes, story = [], [], 0
        while len(story_of) < args.articles:
            story += 1
            size = rng.choice((1, 1, 2, 3, 5))
            sizes.append(size)
            story_of.extend([story] * size)
        del story_of[args.articles:]
        with cursor.copy("COPY core_story (id, title, created_at, updated_at) FROM STDIN") as copy:
            position = 0
            for number, size in enumerate(sizes, start=1):
                when = first + step * position
                copy.write_row((number, titles[number % len(titles)], when, when + step * (size - 1)))
                position += size
        columns = ("id, guid, url, canonical_url, slug, title, lead, body_html, feed_summary, language, authors, "
                   "image_url, image_file, read_also, published_at, content_hash, fetched_at, status, error, "
                   "source_id, story_id, fetch_attempts, story_locked, extraction_doubt")
        with cursor.copy(f"COPY core_article ({columns}) FROM STDIN") as copy:
            for n in range(1, args.articles + 1):
                story_id = story_of[n - 1]
                topic = titles[story_id % len(titles)]
                lead = sentences[(n * 7) % len(sentences)]
                body = "".join(f"<p>{topic}. {sentences[(n * 13 + k * 101) % len(sentences)]}</p>" for k in range(4))
                when = first + step * (n - 1)
                source = 1 + n % SOURCES
                url = f"https://outlet{source}.example/news/{n}"
                copy.write_row((n, url, url, "", f"story-{story_id}-{n}", topic, lead, body, "", "en", "[]", "", "",
                                "[]", when, f"{n:064x}", when, "published", "", source, story_id, 0, False, ""))
        for table in ("core_source", "core_story", "core_article"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        connection.commit()
    from vistka.site import fulltext

    fulltext.rebuild()
    # As autovacuum would have by then on a live site: the planner knows the sizes, the visibility map
    # allows index-only scans, and no autovacuum of the fresh tables competes with the timed pages.
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


# --- 2. pages ---------------------------------------------------------------------------------------------

def _pages(args: argparse.Namespace) -> dict[str, dict]:
    from django.test import Client

    import vistka.config.wsgi  # noqa: F401 -- the site as gunicorn loads it (views imported, start-up frozen)
    from vistka.core.models import Article

    client = Client()
    latest = list(Article.objects.order_by("-published_at")[:50]) + list(Article.objects.order_by("?")[:50])
    search_words = [article.title.split()[i % 3] for i, article in enumerate(latest)]
    paths = {
        "home": lambda i: "/",
        "article": lambda i: latest[i % len(latest)].get_absolute_url(),
        "search": lambda i: f"/search/?q={search_words[i % len(search_words)]}",
        "feed": lambda i: "/feed.rss",
    }
    rows = {}
    for name, path in paths.items():
        client.get(path(0))  # warm up
        times: list[float] = []
        cpu: list[float] = []  # this process's CPU time: what the page costs, whatever else runs on the machine
        deadline = time.perf_counter() + args.page_budget
        for i in range(args.requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path(i))
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{name} {path(i)} answered {response.status_code}")
            if time.perf_counter() > deadline and len(times) >= 3:
                break
        rows[name] = {"n": len(times), "p50": _percentile(times, 50), "p99": _percentile(times, 99),
                      "cpu_p99": _percentile(cpu, 99)}
        print(f"  {name:<8} {len(times):>4} requests  p50 {rows[name]['p50']:8.1f} ms  p99 {rows[name]['p99']:8.1f} ms"
              f"  (Python CPU p99 {rows[name]['cpu_p99']:.1f} ms)", flush=True)
    return rows


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


# --- 3. story assignment ----------------------------------------------------------------------------------

def _assign(args: argparse.Namespace) -> dict:
    """As ingest calls it: this process's warm story index (built once, like a worker's first decision),
    brought up to date from the change log before each decision."""
    from django.db import transaction
    from django.utils import timezone

    from vistka.core.models import Article, ArticleStatus
    from vistka.pipeline.stories import grouping

    Article.objects.filter(guid__startswith="assign-").delete()  # a kept database's earlier run
    recent = list(Article.objects.select_related("source").order_by("-published_at")[: args.assign * 2])
    when = recent[0].published_at
    started = time.perf_counter()
    grouping.WARM.index_for(recent[0])
    warmup_s = time.perf_counter() - started
    held = len(grouping.WARM.index.entries)
    warm_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  warm story index: {held:,} articles built in {warmup_s:.1f} s (once per process); "
          f"peak RSS now {warm_rss:.0f} MB", flush=True)
    times, related, cpu = [], [], []
    deadline = time.perf_counter() + args.assign_budget
    for i in range(args.assign):
        model = recent[i * 2 % len(recent)]
        # half continue a recent story (same title words), half are new events
        title = model.title if i % 2 else " ".join(reversed(model.title.split())) + f" event{i}"
        # With its source, as ingest hands an article over (loaded with select_related, or made with
        # its source): no query for the outlet's name and language inside the timed decision.
        article = Article.objects.create(
            source=model.source, guid=f"assign-{i}", url=f"https://assign.example/{i}", title=title,
            lead=model.lead, body_html=model.body_html if i % 2 else f"<p>{title}. New event {i}.</p>",
            language="en", status=ArticleStatus.PUBLISHED, published_at=when, fetched_at=timezone.now())
        with transaction.atomic():
            started, cpu_started = time.perf_counter(), time.process_time()
            grouping.assign_story(article)
            assigned, cpu_assigned = time.perf_counter(), time.process_time()
            grouping.update_related(article)
            done = time.perf_counter()
        times.append((assigned - started) * 1000)
        cpu.append((cpu_assigned - cpu_started) * 1000)
        related.append((done - assigned) * 1000)
        if time.perf_counter() > deadline:
            break
    row = {"n": len(times), "p50": _percentile(times, 50), "p99": _percentile(times, 99),
           "related_p50": _percentile(related, 50), "related_p99": _percentile(related, 99),
           "warmup_s": warmup_s, "held": held, "rss_mb": warm_rss, "cpu_p99": _percentile(cpu, 99)}
    print(f"  assign   {row['n']:>4} articles  p50 {row['p50']:8.1f} ms  p99 {row['p99']:8.1f} ms "
          f"(this process's CPU p99 {row['cpu_p99']:.1f} ms; related posts after it: p50 {row['related_p50']:.1f} ms, "
          f"p99 {row['related_p99']:.1f} ms)", flush=True)
    return row


# --- 4. ingest with 1 and 2 workers -----------------------------------------------------------------------

def _ingest(env: dict, data_dir: Path, workers: int, args: argparse.Namespace) -> dict:
    import redis

    from bench.synthetic_outlets import SyntheticOutlets
    from vistka.core.models import Article, Source
    from vistka.workers.app import configure_from_settings
    from vistka.workers.scheduler import enqueue_due_sources

    redis.Redis.from_url(REDIS_URL).flushdb()
    leftover = Source.objects.filter(name__startswith=f"Ingest run {workers} ")  # a kept database's earlier run
    Article.objects.filter(source__in=leftover).delete()
    leftover.delete()
    configure_from_settings()
    expected = args.outlets * args.outlet_articles
    logs = [data_dir / f"worker{workers}-{n}.log" for n in range(workers)]
    processes = [subprocess.Popen([sys.executable, "-m", "vistka.cli", "worker", "--pool", "threads",
                                   f"--concurrency={args.concurrency}"], env=env, stdout=log.open("w"),
                                  stderr=subprocess.STDOUT, start_new_session=True) for log in logs]
    try:
        _wait_ready(logs)
        with SyntheticOutlets(args.outlets, args.outlet_articles, latency=args.latency, prefix=f"w{workers}s",
                              start=datetime.now(UTC) - timedelta(days=2)) as outlets:
            sources = [Source.objects.create(name=f"Ingest run {workers} outlet {n}", homepage=outlets.homepage(n),
                                             feed_url=outlets.feed_url(n), language="en", licence_mode="full")
                       for n in range(args.outlets)]
            cpu_before = sum(_tree_cpu_s(process.pid) for process in processes)
            machine_before = _machine_busy_s()
            started = time.perf_counter()
            enqueue_due_sources()
            done, peaks, finished = 0, [0.0] * workers, started
            deadline = started + args.ingest_budget
            while time.perf_counter() < deadline:
                count = (Article.objects.filter(source__in=sources).exclude(status__in=("fetched", "failed"))
                        .count())
                if count > done:
                    done, finished = count, time.perf_counter()
                peaks = [max(peak, _tree_peak_mb(process.pid)) for peak, process in zip(peaks, processes, strict=True)]
                if done >= expected:
                    break
                time.sleep(0.2)
            elapsed = finished - started  # until the last page was done (a stuck page does not count)
            worker_cpu = sum(_tree_cpu_s(process.pid) for process in processes) - cpu_before
            machine_cpu = _machine_busy_s() - machine_before
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    Article.objects.filter(source__in=sources).delete()  # the next run starts from the same state
    if done < expected:
        for log in logs:
            print(f"--- {log.name} (tail)\n" + log.read_text(errors="replace")[-3000:])
    split = [re.search(r"worker memory: django=(\d+) models=(\d+) index=(\d+)", log.read_text(errors="replace"))
             for log in logs]
    row = {"pages": done, "expected": expected, "seconds": elapsed, "rate": done / elapsed if elapsed else 0.0,
           "memory_split": [tuple(int(v) for v in found.groups()) for found in split if found],
           "rss_mb": max(peaks), "cpu_ms_per_page": worker_cpu * 1000 / done if done else float("nan"),
           "cores_busy": worker_cpu / elapsed if elapsed else float("nan"),
           "machine_busy": machine_cpu / elapsed if elapsed else float("nan")}
    print(f"  ingest   {workers} worker(s): {done}/{expected} pages in {elapsed:.1f} s = {row['rate']:.1f} pages/s, "
          f"worker CPU {row['cpu_ms_per_page']:.0f} ms a page ({row['cores_busy']:.2f} cores busy; whole machine "
          f"{row['machine_busy']:.2f} of {os.cpu_count()}), "
          f"peak RSS per worker {row['rss_mb']:.0f} MB", flush=True)
    return row


def _wait_ready(logs: list[Path], timeout: float = 300) -> None:
    # A worker is ready once its warm story index is built: at 1,000,000 articles that is ~60 s alone
    # on a quiet 2-core machine (28 days of articles), longer with two workers building at once.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(log.exists() and " ready." in log.read_text(errors="replace") for log in logs):
            return
        time.sleep(0.2)
    raise SystemExit("workers did not start:\n" + "\n".join(log.read_text(errors="replace")[-2000:] for log in logs))


def _tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by a worker and its children."""
    total = 0.0
    for process in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _machine_busy_s() -> float:
    """CPU seconds the whole machine has been busy (every process: workers, PostgreSQL, Redis, outlets)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _tree_peak_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of the largest process in this worker's tree."""
    peak = 0.0
    for child in [pid, *_children(pid)]:
        try:
            found = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{child}/status").read_text())
        except OSError:
            continue
        if found:
            peak = max(peak, int(found.group(1)) / 1024)
    return peak


def _children(pid: int) -> list[int]:
    try:
        direct = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return direct + [grandchild for child in direct for grandchild in _children(child)]


# --- report -----------------------------------------------------------------------------------------------

def _report(results: dict, args: argparse.Namespace) -> None:
    if args.only == "assign":
        assign = results["assign"]
        met = assign["p99"] <= TARGETS["assign_p99_ms"]
        print(f"\nassign: {assign['n']} articles, p50 {assign['p50']:.1f} ms, p99 {assign['p99']:.1f} ms, CPU p99 "
              f"{assign['cpu_p99']:.1f} ms (warm index of {assign['held']:,} articles, built once in "
              f"{assign['warmup_s']:.1f} s); related posts p50 {assign['related_p50']:.1f} ms, p99 {assign['related_p99']:.1f} ms")
        print(f"target assign_p99_ms <= {TARGETS['assign_p99_ms']}: {'met' if met else 'MISSED'} ({assign['p99']:.2f})")
        print(f"RESULT assign_p99_ms={assign['p99']:.1f}")
        return
    pages = results["pages"]
    print(f"\n{args.articles:,} articles ({args.per_day}/day), loaded in {results['load_s']:.0f} s; page cache off; "
          "Django test client in-process\n")
    print(f"{'measure':<10}{'n':>6}{'p50 ms':>10}{'p99 ms':>10}{'CPU p99':>10}")
    for name, row in pages.items():
        print(f"{name:<10}{row['n']:>6}{row['p50']:>10.1f}{row['p99']:>10.1f}{row['cpu_p99']:>10.1f}")
    print("(CPU p99: the bench process's own CPU time per request, without the database's; wall time beyond it "
          "is the database or other work on the machine)")
    page_p99 = max(pages[name]["p99"] for name in ("home", "article", "feed"))
    if "assign" not in results:  # --only pages
        met = page_p99 <= TARGETS["page_p99_ms"]
        print(f"target page_p99_ms <= {TARGETS['page_p99_ms']}: {'met' if met else 'MISSED'} ({page_p99:.2f})")
        print(f"RESULT page_p99_ms={page_p99:.1f} search_p99_ms={pages['search']['p99']:.1f}")
        return
    assign, ingest = results["assign"], results["ingest"]
    print(f"{'assign':<10}{assign['n']:>6}{assign['p50']:>10.1f}{assign['p99']:>10.1f}"
          f"   (warm index of {assign['held']:,} articles, built once in {assign['warmup_s']:.1f} s; "
          f"CPU p99 {assign['cpu_p99']:.1f} ms)")
    print(f"{'related':<10}{assign['n']:>6}{assign['related_p50']:>10.1f}{assign['related_p99']:>10.1f}")
    print(f"\ningest: {args.outlets} outlets x {args.outlet_articles} pages, {args.latency * 1000:.0f} ms per response, "
          f"threads pool x {args.concurrency}, translation off")
    for workers, row in ingest.items():
        print(f"  {workers} worker(s): {row['pages']}/{row['expected']} pages, {row['seconds']:.1f} s, "
              f"{row['rate']:.1f} pages/s, worker CPU {row['cpu_ms_per_page']:.0f} ms a page, "
              f"{row['cores_busy']:.2f} cores busy with workers, {row['machine_busy']:.2f} with everything")
    scaling = ingest[2]["rate"] / ingest[1]["rate"] if ingest[1]["rate"] else float("nan")
    print(f"  2 workers / 1 worker: {scaling:.2f}x")
    print(f"\npeak RSS: bench process (Django, in-process pages) {results['bench_rss_mb']:.0f} MB; "
          + "; ".join(f"{workers} worker run: {row['rss_mb']:.0f} MB per worker" for workers, row in ingest.items()))
    for workers, row in ingest.items():
        for django_mb, models_mb, index_mb in row["memory_split"]:
            print(f"  worker start-up ({workers} worker run): Django and vistka {django_mb} MB + models {models_mb} MB "
                  f"+ warm story index {index_mb} MB ({assign['held']:,} articles in the bench's own index) "
                  f"= {django_mb + models_mb + index_mb} MB")
    summary = {"page_p99_ms": page_p99, "assign_p99_ms": assign["p99"], "worker_scaling": scaling}
    for key, target in TARGETS.items():
        met = summary[key] >= target if key == "worker_scaling" else summary[key] <= target
        print(f"target {key} {'>=' if key == 'worker_scaling' else '<='} {target}: "
              f"{'met' if met else 'MISSED'} ({summary[key]:.2f})")
    print(f"RESULT page_p99_ms={page_p99:.1f} search_p99_ms={pages['search']['p99']:.1f} "
          f"assign_p99_ms={assign['p99']:.1f} worker_scaling={scaling:.2f}")


if __name__ == "__main__":
    main()
