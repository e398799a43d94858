"""Reports, a sub-domain of evaluation: per-site bilans and national roll-ups, drawn from a frozen data
snapshot and rendered by Celery.

- `models.py`: the `Report` model (imported by `evaluation.models`: same app label, table and migrations);
- `views.py`, `urls.py` (namespace `reports`), `forms.py`; templates under templates/reports/;

- `snapshot.py`: the data, one function per family (later issues plug theirs in there);
- `render.py`: the snapshot turned into PDF (WeasyPrint, `qic/pdf/`) and XLSX;
- `services.py`: asking for a report (idempotent), who sees which;
- `tasks.py`: the Celery tasks (crash-safe files, retries, batches fanned out per site);
- `compare.py`: what moved between two reports of the same scope.
"""
