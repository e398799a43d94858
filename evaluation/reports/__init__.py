"""Reports: per-site bilans and national roll-ups, drawn from a frozen data snapshot and rendered by Celery.

- `snapshot.py`: the data, one function per family (later issues plug theirs in there);
- `render.py`: the snapshot turned into PDF (WeasyPrint, `qic/pdf.py`) and XLSX;
- `services.py`: asking for a report (idempotent), who sees which;
- `tasks.py`: the Celery tasks (crash-safe files, retries, batches fanned out per site);
- `compare.py`: what moved between two reports of the same scope.
"""
