"""A production web process (qic.wsgi) settles its garbage collector once the application is loaded, and the
switch turns it off (qic/warmup.py: speed only, nothing else changes)."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PROBE = (
    "import gc, json, qic.wsgi; "
    "print(json.dumps({'threshold': gc.get_threshold(), 'frozen': gc.get_freeze_count()}))"
)


def _probe(tuning: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qic.settings",
        "SECRET_KEY": "x" * 50,
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{settings.BASE_DIR / 'unused-probe.sqlite3'}",
        "REDIS_URL": "",
        "QIC_GC_TUNING": tuning,
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("tuning", ["true", "false"])
def test_the_web_process_settles_its_garbage_collector_unless_told_not_to(tuning):
    from qic.warmup import THRESHOLDS

    probe = _probe(tuning)
    if tuning == "true":
        assert tuple(probe["threshold"]) == THRESHOLDS
        assert probe["frozen"] > 100_000  # the loaded application, views included
    else:
        assert tuple(probe["threshold"]) == (700, 10, 10)
        assert probe["frozen"] == 0
