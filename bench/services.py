"""Throw-away PostgreSQL and Redis servers on loopback for benchmarks, like .ci/run starts them.

    with postgres() as database_url, redis() as redis_url: ...

Reuses DATABASE_URL / REDIS_URL from the environment when they are already set.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager


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


@contextmanager
def redis():
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    if not shutil.which("redis-server"):
        raise SystemExit("Redis is not installed: apt-get install -y redis-server (or set REDIS_URL)")
    port = free_port()
    root = tempfile.mkdtemp(prefix="qic-bench-redis-")
    args = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    process = subprocess.Popen([*args, "--dir", root], stdout=subprocess.DEVNULL)
    try:
        for _ in range(50):
            if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(root, ignore_errors=True)
