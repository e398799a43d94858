"""A production web process (qic.wsgi) settles its garbage collector once the application is loaded, and the
switch turns it off (qic/warmup.py: speed only, nothing else changes); what a page read and showed is freed
when the page is done, not left to the collector."""

import gc
import json
import os
import subprocess
import sys
import weakref
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template import engines

from sites import progress
from sites.models import Site

PROBE = (
    "import gc, json, sys, qic.wsgi; "
    "print(json.dumps({'threshold': gc.get_threshold(), 'frozen': gc.get_freeze_count(), "
    "'weasyprint': 'weasyprint' in sys.modules}))"
)
# Every view and task module loaded, as in a worker or a `manage.py` command: WeasyPrint is not (yet).
VIEWS_PROBE = (
    "import django, json, sys; django.setup(); "
    "from django.urls import get_resolver; get_resolver().url_patterns; "
    "import qic.celery; qic.celery.app.loader.import_default_modules(); "
    "print(json.dumps({'weasyprint': 'weasyprint' in sys.modules}))"
)


def _probe(tuning: str, probe: str = PROBE) -> dict:
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
        [sys.executable, "-c", probe], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("tuning", ["true", "false"])
def test_the_web_process_settles_its_garbage_collector_unless_told_not_to(tuning):
    from qic.warmup import THRESHOLDS

    probe = _probe(tuning)
    assert probe["weasyprint"]  # loaded before the first request, not during the first PDF's
    if tuning == "true":
        assert tuple(probe["threshold"]) == THRESHOLDS
        assert probe["frozen"] > 100_000  # the loaded application, views included
    else:
        assert tuple(probe["threshold"]) == (700, 10, 10)
        assert probe["frozen"] == 0


def test_views_and_tasks_load_weasyprint_only_when_a_document_is_printed():
    """A worker and every `manage.py` command start without WeasyPrint (0.7-1.6 s of processor time)."""
    assert _probe("true", VIEWS_PROBE) == {"weasyprint": False}


@contextmanager
def collector_off():
    """What is still in memory here is only freed by the garbage collector (a reference cycle)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Shown:
    name = "Saint-Étienne"


@pytest.mark.django_db
def test_what_a_page_showed_is_freed_once_it_is_rendered(rf):
    """A Django context refers to itself (`qic/templating.py`): without the fix, what a page showed stayed in
    memory until the collector's next pass (1,628 objects a request on the dashboard)."""
    request = rf.get("/")
    request.user = AnonymousUser()
    template = engines["django"].from_string("<p>{% for thing in things %}{{ thing.name }}{% endfor %}</p>")
    shown = Shown()
    ref = weakref.ref(shown)
    with collector_off():
        assert template.render({"things": [shown]}, request) == "<p>Saint-Étienne</p>"
        del shown
        assert ref() is None


@pytest.mark.django_db
def test_a_page_of_sites_is_freed_once_read(world):
    """A site read with its progress facts (`sites.progress.attach`): the facts no longer point back at the
    site, so the page's sites with their department, region and wave are freed when the page is done."""
    sites = progress.attach(
        Site.objects.select_related("department__region", "wave", "progress").filter(
            pk__in=[world.site_a.pk, world.site_b.pk]
        )
    )
    refs = [weakref.ref(obj) for site in sites for obj in (site, site.progress, site.department, site.wave)]
    assert sites[0].progress.site_id == sites[0].pk  # the facts still say whose they are
    with collector_off():
        del sites
        assert [ref() for ref in refs] == [None] * len(refs)
