"""A web process made ready to serve: every view imported (and WeasyPrint, which `qic.pdf` imports at first
use), then the garbage collector told that what is loaded now stays loaded.

Measured on 2,000 sites (PostgreSQL, in-process, 40 requests of each page): a web process holds about
250,000 objects the collector tracks once the application is loaded, and its passes over them cost about a
quarter of the dashboard's processor time (28-29 -> 21-22 ms per request), less on lighter pages (site page
20-22 -> 18-20 ms). `gc.freeze()` moves the loaded objects out of its reach (they live as long as the
process), and a higher first threshold makes its passes rarer; peak memory stays the same (159-167 MB either
way). Turned off with QIC_GC_TUNING=false: only speed changes.

The first threshold was 10,000 while a dashboard request left 1,600 objects in reference cycles. Pages now
free what they read as they go (`qic/templating.py`, `sites.progress.attach`), and 5,000 costs as little in
all (0.25-0.31 ms of the collector a dashboard request against 0.30-0.45; 0.09 against 0.15 on a site
page) in shorter pauses: 2.5-3 ms for the youngest generation instead of 6-8, and 10-15 ms for the next
one instead of 30-62, a pause a request in a few hundred waited for.
"""

import gc

from django.conf import settings

THRESHOLDS = (5_000, 20, 20)  # Python's defaults: (700, 10, 10)


def settle() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module now, not during a first request
    import qic.pdf.engine  # noqa: F401 - WeasyPrint, now rather than in the first PDF's request

    if not settings.QIC_GC_TUNING:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
