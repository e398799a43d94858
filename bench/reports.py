"""`make bench` (reports part): the roll-up, a bilan and a batch of bilans on 2,000 synthetic sites.

Figures asked by the Reports issue, measured on PostgreSQL (the production database; a throw-away server is
started on loopback unless DATABASE_URL points at one) with Redis and real Celery worker processes:

- the national roll-up of 2,000 sites, end to end (snapshot, PDF, XLSX, files written), and the peak memory
  of the process that produced it (goal of issue 16: ≤ 30 s and ≤ 400 MB);
- per-site bilans (snapshot, PDF, file): time (and the process's processor time beside it), and the queries
  of each, by table (goal: ≤ 2 s, and no table read more often for the site with the most data than for the
  lighter ones: a count growing with a site's rows reads one table again and again, while sites with other
  kinds of data, an agreement or an adopted vision or none, read other tables: tests/evaluation prove the
  count constant family by family);
- a batch of bilans fanned out across one, then two worker processes: bilans per minute.

The benchmark database is bench/run.py's `<name>_bench` beside DATABASE_URL's database (filled once by
`seed_synthetic`, reused while the migrations and the seed code are the same), measured on a copy of it
dropped afterwards (`services.database_copy`); files go to a temporary MEDIA_ROOT. Every cache is Django's
dummy one (bench/settings.py). The exit status is 1 when a goal is missed.

    python bench/reports.py [--sites 2000] [--batch-sites 60] [--bilans 8]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import services  # noqa: E402

GOAL_ROLLUP_SECONDS = 30
GOAL_ROLLUP_MB = 400
GOAL_BILAN_SECONDS = 2


def _setup() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def _emit(result: dict) -> None:
    print(json.dumps(result), flush=True)


# --- child steps (each in its own process: peak memory is that step's) --------------------------------------


def step_prepare(sites: int) -> dict:
    _setup()
    from sites.models import Site

    prepared = services.seed_once(sites)
    return {**prepared, "sites": Site.objects.filter(slug__startswith="synth-").count()}


def _clear_reports() -> None:
    from evaluation.models import Report

    Report.objects.all().delete()


def step_rollup() -> dict:
    _setup()
    from evaluation.models import Report
    from evaluation.reports import tasks
    from evaluation.reports.enums import ReportKind, ReportState
    from evaluation.reports.services import request_report
    from sites.models import Site

    _clear_reports()
    baseline = _peak_mb()
    report, _ = request_report(ReportKind.NATIONAL, send=False)
    started = time.perf_counter()
    tasks.produce(report.pk)
    seconds = time.perf_counter() - started
    report = Report.objects.get(pk=report.pk)
    assert report.state == ReportState.DONE, report.error
    return {
        "sites": Site.objects.count(),
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        "baseline_mb": baseline,
        "pdf_kb": report.pdf.size // 1024,
        "xlsx_kb": report.xlsx.size // 1024,
        "pdf_pages": _pages(report.pdf.path),
    }


def _pages(path: str) -> int | None:
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True)
    for line in info.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def _site_weight():
    """Sites ordered by how much data they hold (journal, members, sessions, learnings)."""
    from django.db.models import Count

    from sites.models import Site

    return Site.objects.annotate(
        weight=Count("events", distinct=True) + Count("memberships", distinct=True)
    ).order_by("weight", "pk")


FROM_TABLE = re.compile(r'FROM "(\w+)"')


def _main_table(sql: str) -> str | None:
    """The table a SELECT reads from: its own FROM, not one of a subquery in its columns (in parentheses)."""
    if not sql.lstrip().upper().startswith("SELECT"):
        return None
    depth = 0
    for index, char in enumerate(sql):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and char == "F" and (match := FROM_TABLE.match(sql, index)):
            return match[1]
        elif depth == 0 and sql.startswith("FROM (", index):  # a count over a subquery: its table
            return _main_table(sql[index + len("FROM (") :])
    return None


def _tables(queries: list[dict]) -> dict[str, int]:
    """How many times each table is read."""
    return dict(collections.Counter(filter(None, (_main_table(q["sql"]) for q in queries))))


def step_bilans(count: int) -> dict:
    _setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluation.models import Report
    from evaluation.reports import tasks
    from evaluation.reports.enums import ReportKind, ReportState
    from evaluation.reports.services import request_report

    _clear_reports()
    ordered = list(_site_weight())
    # The lightest site (no data at all, for information), the next lightest that hold some, the heaviest.
    holding = [site for site in ordered[1:] if site.weight]
    picks = ordered[:1] + holding[: count // 2 - 1] + holding[-(count - count // 2) :]
    rows = []
    for site in picks:
        report, _ = request_report(ReportKind.SITE, site=site, send=False)
        with CaptureQueriesContext(connection) as queries:
            started, cpu = time.perf_counter(), time.process_time()
            tasks.produce(report.pk)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        report = Report.objects.get(pk=report.pk)
        assert report.state == ReportState.DONE, report.error
        row = {"site": site.name, "weight": site.weight, "seconds": seconds, "cpu": cpu}
        rows.append({**row, "queries": len(queries), "tables": _tables(queries.captured_queries)})
    return {"bilans": rows, "peak_mb": _peak_mb()}


def step_batch(workers: int, batch_sites: int, media_root: str) -> dict:
    _setup()
    from evaluation.models import Report
    from evaluation.reports.enums import ReportKind, ReportState
    from evaluation.reports.services import request_report
    from qic.celery import app
    from sites.models import Region, Site, Wave

    _clear_reports()
    app.control.purge()
    # The scope: the wave and region with the number of sites closest to `batch_sites`.
    from django.db.models import Count

    groups = Site.objects.values("wave", "department__region").annotate(n=Count("pk"))
    group = min(groups, key=lambda g: abs(g["n"] - batch_sites))
    wave, region = Wave.objects.get(pk=group["wave"]), Region.objects.get(pk=group["department__region"])
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "MEDIA_ROOT": media_root}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "qic", "worker", "--pool=solo", "--loglevel=WARNING",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--hostname", f"bench{i}@%h"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for i in range(workers)
    ]  # fmt: skip
    try:
        time.sleep(4)  # workers connected and waiting
        started = time.perf_counter()
        batch, _ = request_report(ReportKind.BATCH, wave=wave, region=region)
        deadline = started + 1800
        while time.perf_counter() < deadline:
            batch.refresh_from_db()
            if batch.state in (ReportState.DONE, ReportState.FAILED):
                break
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        produced = Report.objects.filter(kind=ReportKind.SITE, state=ReportState.DONE).count()
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
    assert batch.state == ReportState.DONE and not batch.error, batch.error
    return {
        "workers": workers,
        "scope": f"vague {wave.number}, {region.name}",
        "bilans": produced,
        "seconds": seconds,
        "per_minute": produced / seconds * 60,
    }


# --- parent ---------------------------------------------------------------------------------------------


def _child(env: dict, *args: str) -> dict:
    command = [sys.executable, __file__, "--step", *args]
    out = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"step {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=int, default=2000)
    parser.add_argument("--batch-sites", type=int, default=60)
    parser.add_argument("--bilans", type=int, default=8)
    parser.add_argument("--step", nargs="+")
    args = parser.parse_args()

    if args.step:
        name, *rest = args.step
        if name == "prepare":
            _emit(step_prepare(int(rest[0])))
        elif name == "rollup":
            _emit(step_rollup())
        elif name == "bilans":
            _emit(step_bilans(int(rest[0])))
        elif name == "batch":
            _emit(step_batch(int(rest[0]), int(rest[1]), rest[2]))
        return 0

    ok = True
    media = tempfile.mkdtemp(prefix="qic-bench-media-")
    try:
        with services.postgres() as database_url, services.redis() as redis_url, ExitStack() as stack:
            url = services.bench_database_url(database_url, "bench")
            services.ensure_postgres_database(url)
            env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "MEDIA_ROOT": media}
            print(f"Rapports sur PostgreSQL ({args.sites} sites synthétiques), {os.cpu_count()} cœurs")
            prepared = _child(env, "prepare", str(args.sites))
            print(f"  base : {prepared['sites']} sites ({services.seeded_text(prepared, args.sites)})")
            # The reports (and what asking for them writes) go to a copy: the pages' benchmark, which reads
            # the same database, never finds bilans left by this one.
            copy = stack.enter_context(services.database_copy(url))
            env = {**env, "DATABASE_URL": copy}

            rollup = _child(env, "rollup")
            good = rollup["seconds"] <= GOAL_ROLLUP_SECONDS and rollup["peak_mb"] <= GOAL_ROLLUP_MB
            ok &= good
            print(
                f"  synthèse nationale ({rollup['sites']} sites) : {rollup['seconds']:.1f} s, "
                f"mémoire max {rollup['peak_mb']:.0f} Mo (dont {rollup['baseline_mb']:.0f} Mo au démarrage), "
                f"PDF {rollup['pdf_pages']} p. {rollup['pdf_kb']} Ko, XLSX {rollup['xlsx_kb']} Ko "
                f"— objectif ≤ {GOAL_ROLLUP_SECONDS} s et ≤ {GOAL_ROLLUP_MB} Mo : {_mark(good)}"
            )

            bilans = _child(env, "bilans", str(args.bilans))["bilans"]
            slowest = max(row["seconds"] for row in bilans)
            # The query count must not grow with the volume of a site's data: no table is read more often for
            # the heaviest sites (the second half) than for the light ones that hold some (the first half)
            # and read it. Sites hold different kinds of data (an agreement or none, an adopted vision or a
            # draft, indicators or none): a kind the light sites lack reads tables they do not, and those are
            # listed, not compared. A site with no data at all is printed, not compared (it hid the
            # comparison when it read its vision's draft twice).
            empty, half = bilans[0], len(bilans) // 2
            light = [row for row in bilans[:half] if row["weight"]]
            most = collections.Counter()
            for row in light:
                most |= collections.Counter(row["tables"])
            grown = {
                f"{row['site'][:30]} : {table}": (most[table], n)
                for row in bilans[half:]
                for table, n in row["tables"].items()
                if most[table] and n > most[table]
            }
            unmatched = sorted({table for row in bilans[half:] for table in row["tables"] if not most[table]})
            heavy = bilans[-1]
            good = slowest <= GOAL_BILAN_SECONDS and bool(light) and not grown
            ok &= good
            for row in bilans:
                # Processor time: what the bilan costs when its process has a core (on a shared machine the
                # elapsed time also counts the waits for one).
                print(
                    f"    bilan {row['site'][:40]:40} données {row['weight']:4} : "
                    f"{row['seconds']:.2f} s (processeur {row['cpu']:.2f} s), {row['queries']} requêtes"
                )
            if grown:
                found = ", ".join(f"{where} {a} → {b}" for where, (a, b) in grown.items())
                print(f"  bilan d’un site : au plus {slowest:.2f} s ; lectures qui croissent : {found}")
            else:
                print(
                    f"  bilan d’un site : au plus {slowest:.2f} s ; les {len(bilans) - half} plus chargés "
                    f"(jusqu’à {heavy['weight']} données) ne lisent aucune table plus souvent que les "
                    f"{len(light)} légers ({', '.join(str(row['weight']) for row in light)} données)"
                )
            if unmatched:
                others = ", ".join(unmatched)
                print(f"    lues par les seuls plus chargés (d’autres sortes de données) : {others}")
            print(
                f"    objectif ≤ {GOAL_BILAN_SECONDS} s et aucune lecture qui croît avec les données : "
                f"{_mark(good)} ({empty['queries']} requêtes pour un site sans aucune donnée)"
            )

            for workers in (1, 2):
                batch = _child(env, "batch", str(workers), str(args.batch_sites), media)
                print(
                    f"  lot de bilans ({batch['scope']}, {batch['bilans']} bilans) avec {workers} worker"
                    f"{'s' if workers > 1 else ''} : {batch['seconds']:.1f} s, "
                    f"{batch['per_minute']:.0f} bilans par minute"
                )
    finally:
        shutil.rmtree(media, ignore_errors=True)
    print(f"\n{_mark(ok)} rapports : {'objectifs atteints' if ok else 'au moins un objectif manqué'}.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
