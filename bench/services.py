"""Throw-away PostgreSQL and Redis servers on loopback for benchmarks, like .ci/run starts them.

    with postgres() as database_url, redis() as redis_url: ...

Reuses DATABASE_URL / REDIS_URL from the environment when they are already set; a server of our own listens on
$BENCH_REDIS_PORT when set. Also: the benchmark databases, filled once and reused (`seed_once`), and this
machine's speed (`machine_speed`), printed beside the figures whose goals are in milliseconds or seconds.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import closing, contextmanager


def machine_speed() -> float:
    """Milliseconds of processor time for a fixed loop of Python, the best of three: this machine's speed
    changed by up to 30 % within an hour (every page with it), so two runs compare only at a similar speed."""
    best = float("inf")
    for _ in range(3):
        started, total = time.process_time(), 0
        for number in range(5_000_000):
            total += number
        best = min(best, time.process_time() - started)
    return best * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(args):
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True)


@contextmanager
def postgres(name: str = "qic_bench"):
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        yield os.environ["DATABASE_URL"]
        return
    initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not initdb:
        raise SystemExit("PostgreSQL is not installed: apt-get install -y postgresql (or set DATABASE_URL)")
    bindir = os.path.dirname(initdb[-1])
    root = tempfile.mkdtemp(prefix="qic-bench-pg-")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = free_port()
    data = os.path.join(root, "data")
    _as_postgres(
        [f"{bindir}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off"
    _as_postgres([f"{bindir}/pg_ctl", "-D", data, "-l", f"{root}/log", "-w", "-o", options, "start"])
    try:
        psql = [
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "-qc",
            f"create database {name}",
        ]
        subprocess.run(psql, check=True)
        yield f"postgres://postgres@127.0.0.1:{port}/{name}"
    finally:
        _as_postgres([f"{bindir}/pg_ctl", "-D", data, "stop", "-m", "fast"])
        shutil.rmtree(root, ignore_errors=True)


class RedisServer:
    """A redis-server of our own on loopback (port $BENCH_REDIS_PORT, or a free one), that can be stopped and
    started again on the same port (bench/load.py's outage)."""

    def __init__(self):
        if not shutil.which("redis-server"):
            raise SystemExit("Redis is not installed: apt-get install -y redis-server (or set REDIS_URL)")
        self.port = int(os.environ.get("BENCH_REDIS_PORT") or 0) or free_port()
        self.root = tempfile.mkdtemp(prefix="qic-bench-redis-")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        args = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
        self.process = subprocess.Popen(
            [*args, "--appendonly", "no", "--dir", self.root], stdout=subprocess.DEVNULL
        )
        for _ in range(50):
            ping = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True)
            if ping.stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise SystemExit(f"redis-server did not start on port {self.port}")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def close(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def redis(own: bool = False):
    """REDIS_URL when set (unless `own`), else a redis-server of our own for the duration."""
    if os.environ.get("REDIS_URL") and not own:
        yield os.environ["REDIS_URL"]
        return
    server = RedisServer()
    try:
        server.start()
        yield server.url
    finally:
        server.close()


# --- benchmark databases: beside DATABASE_URL's, filled once, reused while schema and seed stay the same ---


def bench_database_url(url: str, suffix: str) -> str:
    """`postgres://…/qic` → `postgres://…/qic_<suffix>` (the development database is never touched)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "qic"
    return urlunsplit(parts._replace(path=f"/{name}_{suffix}"))


@contextmanager
def _server(url: str):
    """The database name in a PostgreSQL `url`, and a connection to its server's maintenance database."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        yield parts.path.lstrip("/"), conn


def ensure_postgres_database(url: str) -> None:
    with _server(url) as (name, conn):
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


@contextmanager
def database_copy(url: str):
    """A copy of the (seeded) database at `url`, dropped afterwards: the measures' writes (journal events,
    status changes) go to it, so that every run starts from the seeded data. Measured on a database the runs
    kept writing to, the site page's site (the one with the most events) gathered 567 events, and the
    random status changes left it paused in one run (two panels, two queries fewer) and active in the next.
    PostgreSQL copies a database from it as a template (a second or two for 2,000 sites); SQLite, through its
    backup API (the file alone could miss what its write-ahead log still holds)."""
    from urllib.parse import urlsplit, urlunsplit

    if url.startswith("sqlite:///"):
        import sqlite3

        copy = f"{url.removeprefix('sqlite:///')}.run"
        with (
            closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as source,
            closing(sqlite3.connect(copy)) as target,
        ):
            source.backup(target)
        try:
            yield f"sqlite:///{copy}"
        finally:
            for leftover in glob.glob(f"{glob.escape(copy)}*"):
                os.remove(leftover)
        return
    with _server(url) as (name, conn):
        copy = f"{name}_run"
        conn.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{copy}"))
    finally:
        with _server(url) as (_, conn):
            conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def _seed_fingerprint(sites: int, demo: bool) -> str:
    """What the seeded data depends on: the size, the migrations, and the demo and synthetic-data code."""
    import hashlib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    skip = {".git", ".venv", "node_modules", "bench", "tests", "staticfiles", "media", "__pycache__"}
    # "copy": seeded since the measures write to a copy (`database_copy`); databases that earlier runs wrote
    # to are seeded again once.
    digest = hashlib.sha256(f"{sites}:{demo}:copy".encode())
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in skip and not d.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            relative = str(path.relative_to(root))
            demo_data = "demo" in relative or relative.startswith("fixtures")
            seeds = "synthetic" in relative or (demo and demo_data)
            if seeds or ("/migrations/" in f"/{relative}" and name.endswith(".py")):
                digest.update(relative.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def seed_once(sites: int, demo: bool = False) -> dict:
    """Migrate, then fill the (set-up Django) database with `seed_synthetic` (and `seed_demo`), unless it
    already holds exactly that: same size, no migration applied now, same seed code (a `bench_seed` row)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    call_command("migrate", verbosity=0, interactive=False)
    fingerprint = _seed_fingerprint(sites, demo)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_seed (fingerprint varchar(64) NOT NULL)")
        cursor.execute("SELECT fingerprint FROM bench_seed")
        row = cursor.fetchone()
    if not pending and row and row[0] == fingerprint:
        return {"reused": True, "seed_seconds": None}
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        if demo:
            call_command("seed_demo", stdout=quiet)
        call_command("seed_synthetic", sites=sites, stdout=quiet)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_seed")
        cursor.execute("INSERT INTO bench_seed (fingerprint) VALUES (%s)", [fingerprint])
    return {"reused": False, "seed_seconds": seconds}


def forget_sessions() -> None:
    """Every session of earlier runs, gone. `make load` signs with a new SECRET_KEY each time, so they no
    longer decode: at each sign-in, allauth's usersessions read every recorded session of that person to
    purge the dead ones, and logged "Session data corrupted" for each. Each run now starts with none."""
    from allauth.usersessions.models import UserSession
    from django.contrib.sessions.models import Session

    UserSession.objects.all().delete()
    Session.objects.all().delete()


def seeded_text(prepared: dict, sites: int) -> str:
    if prepared["reused"]:
        return f"base déjà remplie de {sites} sites, réutilisée"
    return f"seed_synthetic : {prepared['seed_seconds']:.1f} s"


if __name__ == "__main__":  # python bench/services.py seed <sites> [--demo] [--forget-sessions]: with the
    # environment's settings
    import json
    import sys

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    prepared = seed_once(int(sys.argv[2]), demo="--demo" in sys.argv)
    if "--forget-sessions" in sys.argv:
        forget_sessions()
    print(json.dumps(prepared))
