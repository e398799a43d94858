"""Load test (issue 9): 50 users mixing the four journeys for two minutes against gunicorn on PostgreSQL,
while a roll-up report is being generated. Prints p50/p95 per page, requests per second and errors, and
checks the goals: no error, at least 50 requests/s sustained, p95 at most 500 ms.

    make load      # starts its own PostgreSQL and Redis on loopback, or uses DATABASE_URL / REDIS_URL
    USERS=50 DURATION=120 make load
"""

import csv
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from services import free_port, postgres, redis  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
USERS = int(os.environ.get("USERS", "50"))
SPAWN_RATE = float(os.environ.get("SPAWN_RATE", "2"))  # users arriving (signing in) per second
DURATION = int(os.environ.get("DURATION", "120"))
SITES = int(os.environ.get("SITES", "2000"))
GOALS = {"rps": 50.0, "p95_ms": 500.0}


def manage(env, *args, check=True):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=check, capture_output=True, text=True
    )


def has_command(env, name):
    return manage(env, "help", name, check=False).returncode == 0


def wait_http(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer at {url}")


def main():
    RESULTS.mkdir(parents=True, exist_ok=True)
    with postgres("qic_load") as database_url, redis() as redis_url:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "qic.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "QIC_MFA_REQUIRED": "false",
            "LOG_LEVEL": "WARNING",
            # As behind the production reverse proxy: each simulated user has its own address (locustfile.py),
            # so allauth's per-address login limits apply per user, not to all fifty at once.
            "TRUSTED_PROXY_COUNT": "1",
        }
        print("== preparing the database (migrate, demo data, synthetic sites)")
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        if has_command(env, "seed_synthetic"):
            manage(env, "seed_synthetic", "--sites", str(SITES))
        else:
            print("   seed_synthetic not available yet: demo data only")
        manage(env, "collectstatic", "--noinput")

        port = free_port()
        host = f"http://127.0.0.1:{port}"
        logs = RESULTS / "load-server.log"
        gunicorn = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "qic.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "4",
             "--timeout", "60"],
            cwd=ROOT, env=env, stdout=logs.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        worker = subprocess.Popen(
            [PYTHON, "-m", "celery", "-A", "qic", "worker", "--concurrency=1", "--loglevel=WARNING"],
            cwd=ROOT, env=env, stdout=(RESULTS / "load-worker.log").open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_http(f"{host}/sante/")
            if has_command(env, "request_report"):
                manage(env, "request_report", "--scope", "national")
                print("== a national roll-up report is generating in the worker during the load")
            else:
                print("== no report generation available yet (issue 8): load without a background report")
            ramp = int(USERS / SPAWN_RATE + 0.999)
            load_started = time.time()
            print(f"== {USERS} users arrive and sign in over {ramp} s, then work {DURATION} s against {host}")
            subprocess.run(
                [PYTHON, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                 "-u", str(USERS), "-r", str(SPAWN_RATE), "-t", f"{ramp + DURATION}s", "--reset-stats",
                 "--host", host, "--csv", str(RESULTS / "load"), "--only-summary", "--loglevel", "WARNING"],
                cwd=ROOT, env={**env, "QIC_SIGN_IN_CSV": str(RESULTS / "load_sign_in.csv")}, check=False,
            )  # fmt: skip
            rollup_overlap(env, load_started + ramp, load_started + ramp + DURATION)
        finally:
            gunicorn.terminate()
            worker.terminate()
            gunicorn.wait(60)
            worker.wait(60)
    report()


ROLLUP_TIMES = """
import json
from evaluation.models import Report
r = Report.objects.filter(kind="national").order_by("-pk").first()
print(json.dumps(r and {"state": r.state, "started": r.started_at and r.started_at.timestamp(),
                        "finished": r.finished_at and r.finished_at.timestamp()}))
"""


def rollup_overlap(env, steady_from, steady_to):
    """Say how long the roll-up was generating during the steady state (the niced worker takes longer)."""
    found = manage(env, "shell", "-c", ROLLUP_TIMES, check=False).stdout.strip().splitlines()
    times = json.loads(found[-1]) if found else None
    if not times or not times["started"]:
        print("== the roll-up did not start during the load")
        return
    end = times["finished"] or time.time()
    overlap = max(0.0, min(end, steady_to) - max(times["started"], steady_from))
    took = f"took {end - times['started']:.0f} s" if times["finished"] else "still generating at the end"
    print(
        f"== roll-up report: {times['state']}, {took}; generating during {overlap:.0f} s "
        f"of the {steady_to - steady_from:.0f} s steady state"
    )


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report():
    sign_in = list(csv.DictReader((RESULTS / "load_sign_in.csv").open()))
    print("\nsigning in, while the users arrive (not in the steady-state figures below):")
    for name in ("login page", "login", "home (start page)"):
        times = [float(row["response_ms"]) for row in sign_in if row["name"] == name]
        failed = sum(1 for row in sign_in if row["name"] == name and row["ok"] != "True")
        print(
            f"  {name:<22}{len(times):>5} requests, {failed} errors, "
            f"p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms"
        )
    errors_all = sum(1 for row in sign_in if row["ok"] != "True")
    print(f"  errors over the whole run, ramp-up included: {errors_all}")
    rows = list(csv.DictReader((RESULTS / "load_stats.csv").open()))
    print(f"\nsteady state, {USERS} users for {DURATION} s:")
    print(f"{'page':<34}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}")
    total = None
    for row in rows:
        if row["Name"] == "Aggregated":
            total = row
            continue
        name, count, failures = row["Name"][:33], row["Request Count"], row["Failure Count"]
        print(f"{name:<34}{count:>10}{failures:>8}{row['50%']:>9}{row['95%']:>9}")
    rps = float(total["Requests/s"])
    p95 = float(total["95%"])
    errors = max(int(total["Failure Count"]), errors_all)
    count = total["Request Count"]
    print(
        f"\nall pages: {count} requests, {rps:.1f} req/s, "
        f"p50 {total['50%']} ms, p95 {p95:.0f} ms, {errors} errors"
    )
    print(
        f"goals: no error {'OK' if errors == 0 else 'MISSED'}; "
        f"≥ {GOALS['rps']:.0f} req/s {'OK' if rps >= GOALS['rps'] else 'MISSED'} "
        f"({rps / GOALS['rps']:.2f}×); "
        f"p95 ≤ {GOALS['p95_ms']:.0f} ms {'OK' if p95 <= GOALS['p95_ms'] else 'MISSED'} "
        f"({p95 / GOALS['p95_ms']:.2f} of the budget)"
    )


if __name__ == "__main__":
    main()
