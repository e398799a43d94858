"""`make load` (issue 16): 50 users mixing the four journeys against gunicorn on PostgreSQL, with Redis and a
Celery worker generating roll-ups one after the other (the platform keeps no page cache). Two runs of the same
scenario: a normal one, then one where the script stops its own redis-server halfway through the steady state
and starts it again near the end. Prints p50/p95 per page, requests per second and errors of each run, and
checks the goals: ≥ 50 requests/s, p95 ≤ 300 ms and no error for the first; no error for the second. The exit
status is 1 when a goal is missed.

The database is `<name>_load` beside DATABASE_URL's (a throw-away PostgreSQL on loopback without one), filled
once with `seed_demo` and `seed_synthetic` and reused while the migrations and the seed code are the same;
each run works on a copy of it, dropped afterwards (`services.database_copy`).
Redis is always a redis-server of the script's own (port $BENCH_REDIS_PORT, or a free one): it stops it.

    make load
    USERS=50 DURATION=120 make load
    RUNS=normal make load     # or RUNS=outage: one of the two runs only
    PACE=saturate make load   # users pause 0.5-2 s between journeys whatever the rate: capacity
"""

import csv
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import psutil  # noqa: E402  (installed with locust)
from services import (  # noqa: E402
    RedisServer,
    bench_database_url,
    database_copy,
    ensure_postgres_database,
    free_port,
    machine_speed,
    postgres,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
USERS = int(os.environ.get("USERS", "50"))
PACE = os.environ.get("PACE", "rate")  # or "saturate" (see bench/locustfile.py)
OFFERED = float(os.environ.get("OFFERED", "55"))  # requests per second the users offer together ("rate")
SPAWN_RATE = float(os.environ.get("SPAWN_RATE", "2"))  # users arriving (signing in) per second
DURATION = int(os.environ.get("DURATION", "120"))
SITES = int(os.environ.get("SITES", "2000"))
RUNS = os.environ.get("RUNS", "normal,outage").split(",")
GOALS = {"rps": 50.0, "p95_ms": 300.0}
# The outage run: Redis stops at this share of the steady state and starts again at that one.
OUTAGE = (0.5, 0.9)


def manage(env, *args, check=True):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=check, capture_output=True, text=True
    )


def wait_http(url, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer at {url}")


def _database(stack):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        url = bench_database_url(url, "load")
        ensure_postgres_database(url)
        return url
    return stack.enter_context(postgres("qic_load"))


def main():
    from contextlib import ExitStack

    RESULTS.mkdir(parents=True, exist_ok=True)
    redis = RedisServer()
    with ExitStack() as stack:
        stack.callback(redis.close)
        database_url = _database(stack)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "qic.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "QIC_MFA_REQUIRED": "false",
            "LOG_LEVEL": "WARNING",
            "MEDIA_ROOT": str(RESULTS / "load-media"),
            # As behind the production reverse proxy: each simulated user has its own address (locustfile.py),
            # so allauth's per-address login limits apply per user, not to all fifty at once.
            "TRUSTED_PROXY_COUNT": "1",
        }
        redis.start()
        print("== preparing the database (migrate, demo data, synthetic sites)")
        seed = subprocess.run(
            [PYTHON, str(ROOT / "bench" / "services.py"), "seed", str(SITES), "--demo", "--forget-sessions"],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )  # fmt: skip
        if seed.returncode:
            raise SystemExit(f"seeding failed:\n{seed.stderr[-3000:]}")
        prepared = json.loads(seed.stdout.strip().splitlines()[-1])
        if prepared["reused"]:
            print(f"   the database already holds the demo and {SITES} synthetic sites: reused")
        else:
            print(f"   seed_demo + seed_synthetic: {prepared['seed_seconds']:.0f} s")
        manage(env, "collectstatic", "--noinput")
        redis.stop()
        figures = {}
        for name in RUNS:
            # Each run on its own copy of the seeded database, dropped afterwards: what a run writes
            # (sign-ins, sessions, visions saved, roll-ups) never meets the next run or the next `make load`.
            with database_copy(database_url) as copy:
                figures[name] = run({**env, "DATABASE_URL": copy}, redis, outage=name == "outage")
    return summary(figures)


def run(env, redis, outage):
    """One run of the scenario, with its own Redis, web server, worker and users; returns its figures."""
    prefix = "load_outage" if outage else "load"
    print(f"\n==== {'run with Redis stopped halfway' if outage else 'normal run'} ====")
    print(f"== machine speed before the run: a fixed loop of Python takes {machine_speed():.0f} ms")
    redis.start()
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    logs = RESULTS / f"{prefix}-server.log"
    cpu_log = RESULTS / f"{prefix}_cpu_per_request.tsv"
    cpu_log.unlink(missing_ok=True)
    # Three workers, as in production (the Dockerfile, `make serve`).
    gunicorn = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "qic.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "3",
         "--timeout", "60", "--config", str(ROOT / "bench" / "gunicorn_cpu.py")],
        cwd=ROOT, env={**env, "QIC_CPU_LOG": str(cpu_log)}, stdout=logs.open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    # As in production (docker-compose.yml's cpu_shares): the worker yields the processor to the pages.
    worker = subprocess.Popen(
        ["nice", "-n", "10", PYTHON, "-m", "celery", "-A", "qic", "worker", "--concurrency=1",
         "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=(RESULTS / f"{prefix}-worker.log").open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_http(f"{host}/sante/")
        if os.environ.get("ROLLUP", "1") == "0":
            print("== ROLLUP=0: no roll-up report during the load (a comparison, not the scenario)")
        else:
            # The national roll-up, then one per wave and one per region: the worker takes them one after
            # the other, so that one is generating for the whole run (a single one ends before the steady
            # state does, once the web leaves the worker some processor time).
            manage(env, "shell", "-c", ROLLUPS)
            print("== roll-up reports are generating in the worker during the load, one after the other")
        ramp = int(USERS / SPAWN_RATE + 0.999)
        print(f"== {USERS} users arrive and sign in (about {ramp} s), then work {DURATION} s against {host}")
        if PACE == "saturate":
            print("   pacing: 0.5-2 s between journeys whatever the rate (about twice the goal)")
        else:
            print(f"   pacing: the users offer {OFFERED:.0f} requests/s together (or PACE=saturate)")
        steady_file = RESULTS / f"{prefix}_steady_since"
        steady_file.unlink(missing_ok=True)
        locust = subprocess.Popen(
            [PYTHON, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "-u", str(USERS), "-r", str(SPAWN_RATE), "-t", f"{ramp + DURATION + 180}s",
             "--host", host, "--csv", str(RESULTS / prefix), "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT,
            env={**env, "QIC_ARRIVAL_CSV": str(RESULTS / f"{prefix}_arrival.csv"), "QIC_USERS": str(USERS),
                 "QIC_DURATION": str(DURATION), "QIC_STEADY_FILE": str(steady_file),
                 "QIC_PACE": PACE, "QIC_OFFERED": str(OFFERED)},
        )  # fmt: skip
        usage = CpuUsage(gunicorn.pid, worker.pid, locust.pid)
        while locust.poll() is None and not steady_file.exists():
            time.sleep(0.2)
        usage.start()
        if outage and locust.poll() is None:
            outage_thread = threading.Thread(target=redis_outage, args=(redis, locust), daemon=True)
            outage_thread.start()
        locust.wait()
        usage.stop()
        if outage:
            outage_thread.join()
        if steady_file.exists():
            steady_from = float(steady_file.read_text())
            rollup_overlap(env, steady_from, steady_from + DURATION)
            cpu_per_page(cpu_log, steady_from, steady_from + DURATION)
        usage.report(int(total_requests(prefix)))
    finally:
        gunicorn.terminate()
        worker.terminate()
        gunicorn.wait(60)
        worker.wait(60)
        redis.stop()
    print(f"== machine speed after the run: the same loop takes {machine_speed():.0f} ms")
    return report(prefix)


def redis_outage(redis, locust):
    """Stop Redis halfway through the steady state, start it again near its end."""
    stop_at, start_at = (time.monotonic() + DURATION * share for share in OUTAGE)
    while time.monotonic() < stop_at and locust.poll() is None:
        time.sleep(0.2)
    redis.stop()
    print(f"== {time.strftime('%H:%M:%S')} Redis stopped ({OUTAGE[0]:.0%} of the steady state)", flush=True)
    while time.monotonic() < start_at and locust.poll() is None:
        time.sleep(0.2)
    redis.start()
    print(f"== {time.strftime('%H:%M:%S')} Redis started again ({OUTAGE[1]:.0%})", flush=True)


# The server-side names of the locustfile's pages, by address (first match wins).
PAGES = [
    (r"^/sites/tableau-de-bord/export\.xlsx", "dashboard export (XLSX)"),
    (r"^/sites/tableau-de-bord/\?", "dashboard filtered"),
    (r"^/sites/tableau-de-bord/$", "dashboard"),
    (r"^/sites/(\?.*)?$", "facilitator sites"),
    (r"^/sessions/", "sessions"),
    (r"^/sites/[^/]+/vision/enonce/", "vision statement (form, save)"),
    (r"^/sites/[^/]+/vision/", "site workspace vision"),
    (r"^/sites/[^/]+/entente/", "site workspace entente"),
    (r"^/sites/[^/]+/collectif/", "site workspace collectif"),
    (r"^/sites/[^/]+/$", "site page"),
    (r"^/bilans/[^?]*(telecharger|download|\.pdf)", "bilan download"),
    (r"^/bilans/", "bilans archive"),
]


def cpu_per_page(path: Path, start: float, end: float) -> None:
    """The web server's processor time per page during the steady state (from bench/gunicorn_cpu.py)."""
    import re
    import statistics

    if not path.exists():
        return
    per_page: dict[str, list[float]] = {}
    for line in path.read_text().splitlines():
        at, used, target = line.split("\t", 2)
        if not start <= float(at) <= end:
            continue
        name = next((label for pattern, label in PAGES if re.search(pattern, target)), "other")
        per_page.setdefault(name, []).append(float(used))
    total = sum(sum(values) for values in per_page.values())
    count = sum(len(values) for values in per_page.values())
    if not count:
        return
    average = total / count
    print(f"\nweb processor time per page, steady state ({count} requests, {average:.1f} ms on average):")
    print(f"  {'page':30} {'requests':>8} {'median ms':>10} {'mean ms':>8} {'share':>6}")
    for name, values in sorted(per_page.items(), key=lambda item: -sum(item[1])):
        print(
            f"  {name:30} {len(values):8d} {statistics.median(values):10.1f} {statistics.fmean(values):8.1f}"
            f" {sum(values) / total:6.0%}"
        )


class CpuUsage:
    """Processor time used during the steady state by each part: the web server (gunicorn), PostgreSQL, the
    Celery worker, the load generator (locust), and everything else on the machine."""

    def __init__(self, web_pid, worker_pid, locust_pid):
        self.roots = {"web (gunicorn)": web_pid, "Celery worker": worker_pid, "locust": locust_pid}

    def _sample(self):
        used = {}
        for name, pid in self.roots.items():
            try:
                root = psutil.Process(pid)
                processes = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                processes = []
            used[name] = sum(_cpu(p) for p in processes)
        used["PostgreSQL"] = sum(_cpu(p) for p in psutil.process_iter() if _name(p) == "postgres")
        machine = psutil.cpu_times()
        return used, machine.user + machine.system + getattr(machine, "nice", 0.0), time.monotonic()

    def start(self):
        """Sample now, then every half second; a part that exited (locust, at the end) keeps its figure."""
        self.before = self.after = self._sample()
        self.running = True

        def sample():
            while self.running:
                time.sleep(0.5)
                latest = self._sample()
                if self.running:
                    self.after = (
                        {name: max(value, self.after[0].get(name, 0.0)) for name, value in latest[0].items()},
                        latest[1],
                        latest[2],
                    )

        self.thread = threading.Thread(target=sample, daemon=True)
        self.thread.start()

    def stop(self):
        self.running = False
        self.thread.join()

    def report(self, requests: int):
        (before, total_before, t0), (after, total_after, t1) = self.before, self.after
        seconds = t1 - t0
        print(f"\nprocessor time during the steady state ({seconds:.0f} s, {psutil.cpu_count()} cores):")
        accounted = 0.0
        for name in after:
            used = after[name] - before.get(name, 0.0)
            accounted += used
            print(f"  {name:<16}{used:>7.1f} s  ({used / seconds:.2f} cores)")
        other = (total_after - total_before) - accounted
        print(f"  {'other':<16}{other:>7.1f} s  ({other / seconds:.2f} cores)")
        web = after["web (gunicorn)"] - before["web (gunicorn)"]
        database = after["PostgreSQL"] - before["PostgreSQL"]
        if requests:
            print(
                f"  per request: web {web / requests * 1000:.1f} ms, "
                f"PostgreSQL {database / requests * 1000:.1f} ms of processor time"
            )


def _cpu(process) -> float:
    try:
        times = process.cpu_times()
        return times.user + times.system
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0


def _name(process) -> str:
    try:
        return process.name()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return ""


def total_requests(prefix) -> int:
    rows = list(csv.DictReader((RESULTS / f"{prefix}_stats.csv").open()))
    return next((int(row["Request Count"]) for row in rows if row["Name"] == "Aggregated"), 0)


ROLLUPS = """
from evaluation.models import Report
from evaluation.reports.enums import ReportKind, ReportTrigger
from evaluation.reports.services import request_report
from sites.models import Region, Wave
Report.objects.filter(kind=ReportKind.NATIONAL).delete()  # a previous run's: asking again would do nothing
request_report(ReportKind.NATIONAL, trigger=ReportTrigger.DEMAND)
for wave in Wave.objects.order_by("number"):
    request_report(ReportKind.NATIONAL, wave=wave, region=None, trigger=ReportTrigger.DEMAND)
for region in Region.objects.order_by("code"):
    request_report(ReportKind.NATIONAL, wave=None, region=region, trigger=ReportTrigger.DEMAND)
"""

ROLLUP_TIMES = """
import json
from evaluation.models import Report
print(json.dumps([{"state": r.state, "started": r.started_at and r.started_at.timestamp(),
                   "finished": r.finished_at and r.finished_at.timestamp()}
                  for r in Report.objects.filter(kind="national").order_by("pk")]))
"""


def rollup_overlap(env, steady_from, steady_to):
    """Say how long roll-ups were generating during the steady state (the niced worker takes longer)."""
    found = manage(env, "shell", "-c", ROLLUP_TIMES, check=False).stdout.strip().splitlines()
    reports = [r for r in (json.loads(found[-1]) if found else []) if r["started"]]
    if not reports:
        print("== no roll-up started during the load")
        return
    covered, cursor = 0.0, steady_from
    for r in sorted(reports, key=lambda r: r["started"]):
        start, end = max(r["started"], cursor), min(r["finished"] or time.time(), steady_to)
        if end > start:
            covered += end - start
            cursor = end
    done = [r for r in reports if r["finished"]]
    took = ", ".join(f"{r['finished'] - r['started']:.0f} s" for r in done) or "none finished"
    print(
        f"== roll-up reports: {len(reports)} started, {len(done)} finished (took {took}); one was generating "
        f"during {covered:.0f} s of the {steady_to - steady_from:.0f} s steady state"
    )


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report(prefix):
    sign_in = list(csv.DictReader((RESULTS / f"{prefix}_arrival.csv").open()))
    arrival = [row for row in sign_in if row["phase"] == "arrival"]
    print(
        "\narriving: users sign in and make a first journey, which renders their pages for the first time "
        "(not in the steady-state figures below):"
    )
    names = ["login page", "login", "home (start page)"]
    names += sorted({row["name"] for row in arrival} - set(names))
    for name in names:
        times = [float(row["response_ms"]) for row in arrival if row["name"] == name]
        failed = sum(1 for row in arrival if row["name"] == name and row["ok"] != "True")
        print(
            f"  {name:<26}{len(times):>5} requests, {failed} errors, "
            f"p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms"
        )
    errors_all = sum(1 for row in sign_in if row["ok"] != "True")
    print(f"  errors over the whole run, arrival included: {errors_all}")
    rows = list(csv.DictReader((RESULTS / f"{prefix}_stats.csv").open()))
    print(f"\nsteady state, {USERS} users for {DURATION} s:")
    print(f"{'page':<34}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}")
    total = None
    for row in rows:
        if row["Name"] == "Aggregated":
            total = row
            continue
        name, count, failures = row["Name"][:33], row["Request Count"], row["Failure Count"]
        print(f"{name:<34}{count:>10}{failures:>8}{row['50%']:>9}{row['95%']:>9}")
    figures = {
        "requests": int(total["Request Count"]),
        "rps": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "errors": max(int(total["Failure Count"]), errors_all),
    }
    print(
        f"\nall pages: {figures['requests']} requests, {figures['rps']:.1f} req/s, "
        f"p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms, {figures['errors']} errors"
    )
    failures = RESULTS / f"{prefix}_failures.csv"
    if figures["errors"] and failures.exists():
        print("errors (first kinds, from locust):")
        for row in list(csv.DictReader(failures.open()))[:5]:
            print(f"  {row['Occurrences']:>5} × {row['Method']} {row['Name']}: {row['Error'][:120]}")
    return figures


def mark(ok):
    return "✓" if ok else "✗"


def summary(figures) -> int:
    """Both runs against the goals; the exit status."""
    verdicts = []
    print(f"\n==== goals (issue 16), {USERS} users, {DURATION} s steady state, pacing {PACE} ====")
    if "normal" in figures:
        f = figures["normal"]
        checks = [
            (f["rps"] >= GOALS["rps"], f"{f['rps']:.1f} req/s (goal ≥ {GOALS['rps']:.0f})"),
            (f["p95"] <= GOALS["p95_ms"], f"p95 {f['p95']:.0f} ms (goal ≤ {GOALS['p95_ms']:.0f} ms)"),
            (f["errors"] == 0, f"{f['errors']} errors (goal 0)"),
        ]
        for ok, text in checks:
            verdicts.append(ok)
            print(f"  {mark(ok)} normal run: {text}")
    if "outage" in figures:
        f = figures["outage"]
        ok = f["errors"] == 0
        verdicts.append(ok)
        print(
            f"  {mark(ok)} Redis stopped from {OUTAGE[0]:.0%} to {OUTAGE[1]:.0%} of the steady state: "
            f"{f['errors']} errors (goal 0); {f['rps']:.1f} req/s, p95 {f['p95']:.0f} ms"
        )
    print(f"{mark(all(verdicts))} load: {sum(verdicts)} of {len(verdicts)} goals met")
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
