"""`make bench`: the national dashboard on 2,000 synthetic sites, against the framework floor.

For each database (SQLite always; PostgreSQL when DATABASE_URL points at one) a child process builds its own
benchmark database (a file under bench/results/, or `<name>_bench` beside DATABASE_URL's database: the
development data is never touched), migrates it, fills it with `seed_synthetic`, then serves requests
in-process through the whole Django stack (middleware, session, authentication, templates; production
settings, DEBUG off) as a signed-in national user. It prints, per scenario, the p50 and p95 server time and
the number of queries (the dashboard's roll-ups come from its cache after the warm-up; a last line, outside
the goal, shows them recomputed at every request), and the ratios to the floor: the same stack serving a
trivial page (the legal notice, rendered in the site layout) and a bare view (the health check).
Goal: p95 ≤ 150 ms and ≤ 5 × the floor.

    python bench/run.py [--sites 2000] [--requests 60] [--only sqlite|postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
GOAL_P95_MS = 150
GOAL_RATIO = 5

SCENARIOS = [
    ("tableau de bord, sans filtre", "/sites/tableau-de-bord/", {}),
    ("vague 3 + Auvergne-Rhône-Alpes", "/sites/tableau-de-bord/?vague=3&region=84", {}),
    ("actifs, tri par trinôme", "/sites/tableau-de-bord/?statut=active&tri=-trinome", {}),
    ("recherche + page 2", "/sites/tableau-de-bord/?q=mont&tri=-activite&page=2", {}),
    ("alerte « sans activité »", "/sites/tableau-de-bord/?alerte=inactif", {}),
    ("fragment HTMX vague 4", "/sites/tableau-de-bord/?vague=4&region=11", {"HX-Request": "true"}),
]
# Not in the verdict, for information: the roll-ups recomputed at every request, as if a write (a status
# change, a journal event...) had happened just before each one (cached roll-ups: sites/dashboard/cache.py).
INVALIDATED = ("sans cache : une écriture avant chaque requête", "/sites/tableau-de-bord/?vague=3", {})
FLOOR = ("plancher : page simple (mentions légales)", "/mentions-legales/", {})
BARE = ("plancher nu : /sante/", "/sante/", {})


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


# --- child process: one database ---------------------------------------------------------------------------


def worker(sites: int, requests: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from collectives.enums import PlatformRole
    from collectives.models import User

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    call_command("seed_synthetic", sites=sites, stdout=open(os.devnull, "w"))  # noqa: SIM115
    seed_seconds = time.perf_counter() - started
    user, _ = User.objects.update_or_create(
        email="bench@bench.qic.fr", defaults={"role": PlatformRole.NATIONAL, "first_name": "Banc"}
    )
    client = Client()
    client.force_login(user)

    executed = []

    def count_queries(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    from evaluation.dashboard import cache as dashboard_cache

    def measure(path: str, headers: dict, before=lambda: None) -> dict:
        for _ in range(5):  # warm caches (templates, URL resolvers, database pages)
            assert client.get(path, headers=headers).status_code == 200, path
        executed.clear()
        before()
        with connection.execute_wrapper(count_queries):
            client.get(path, headers=headers)
        queries = len(executed)
        samples, cpu = [], []
        for _ in range(requests):
            before()
            t, c = time.perf_counter(), time.process_time()
            response = client.get(path, headers=headers)
            samples.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            assert response.status_code == 200
        return {
            "p50": statistics.median(samples),
            "p95": percentile(samples, 95),
            "cpu_p50": statistics.median(cpu),
            "queries": queries,
            "bytes": len(response.content),
        }

    results = {"vendor": connection.vendor, "sites": sites, "seed_seconds": seed_seconds, "scenarios": []}
    for label, path, headers in [FLOOR, BARE, *SCENARIOS]:
        results["scenarios"].append({"label": label, "path": path, **measure(path, headers)})
    label, path, headers = INVALIDATED
    results["invalidated"] = {"label": label, "path": path, **measure(path, headers, dashboard_cache.bump)}
    return results


# --- parent process: one child per database, then the report ---------------------------------------------


def _postgres_bench_url(url: str) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "qic"
    return urlunsplit(parts._replace(path=f"/{name}_bench"))


def _ensure_postgres_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def run_child(database_url: str, sites: int, requests: int) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": ""}
    out = subprocess.run(
        [sys.executable, __file__, "--worker", "--sites", str(sites), "--requests", str(requests)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(result: dict) -> bool:
    scenarios = result["scenarios"]
    floor, bare, dashboard = scenarios[0], scenarios[1], scenarios[2:]
    print(
        f"\n== {result['vendor']} — {result['sites']} sites (seed_synthetic : {result['seed_seconds']:.1f} s)"
    )
    print(
        f"{'scénario':<42} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8} {'requêtes':>9} "
        f"{'p50/plancher':>13} {'p95/plancher':>13}"
    )
    for row in scenarios:
        print(
            f"{row['label']:<42} {row['p50']:>8.1f} {row['p95']:>8.1f} {row['cpu_p50']:>8.1f} "
            f"{row['queries']:>9} "
            f"{row['p50'] / floor['p50']:>12.1f}× {row['p95'] / floor['p95']:>12.1f}×"
        )
    if "invalidated" in result:
        row = result["invalidated"]
        print(
            f"{row['label']:<42} {row['p50']:>8.1f} {row['p95']:>8.1f} {row['cpu_p50']:>8.1f} "
            f"{row['queries']:>9} "
            f"{row['p50'] / floor['p50']:>12.1f}× {row['p95'] / floor['p95']:>12.1f}×  (hors objectif)"
        )
    worst = max(dashboard, key=lambda row: row["p95"])
    p95_ok = worst["p95"] <= GOAL_P95_MS
    ratio = worst["p95"] / floor["p95"]
    ratio_ok = ratio <= GOAL_RATIO
    verdict_p95 = "OK" if p95_ok else "AU-DESSUS"
    verdict_ratio = "OK" if ratio_ok else "AU-DESSUS"
    print(
        f"pire p95 du tableau de bord : {worst['p95']:.1f} ms ({verdict_p95} ≤ {GOAL_P95_MS} ms) ; "
        f"{ratio:.1f}× le plancher ({verdict_ratio} ≤ {GOAL_RATIO}×) ; "
        f"{worst['p95'] / bare['p95']:.1f}× le plancher nu"
    )
    return p95_ok and ratio_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.sites, args.requests)))
        return 0

    RESULTS.mkdir(parents=True, exist_ok=True)
    targets = []
    if args.only in (None, "sqlite"):
        targets.append(("sqlite", f"sqlite:///{RESULTS / 'bench.sqlite3'}"))
    database_url = os.environ.get("DATABASE_URL", "")
    if args.only in (None, "postgres"):
        if database_url.startswith(("postgres://", "postgresql://")):
            targets.append(("postgres", _postgres_bench_url(database_url)))
        else:
            print("PostgreSQL : DATABASE_URL n’est pas une base PostgreSQL, mesure ignorée.")
    load = os.getloadavg()[0]
    print(f"Charge de la machine au départ : {load:.1f} ({os.cpu_count()} cœurs). Mesures en cours…")
    all_ok = True
    for name, url in targets:
        if name == "postgres":
            _ensure_postgres_database(url)
        result = run_child(url, args.sites, args.requests)
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2))
        all_ok = report(result) and all_ok
    print(
        "\nObjectif atteint." if all_ok else "\nObjectif non atteint sur au moins une base (voir ci-dessus)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
