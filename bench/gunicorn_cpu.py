"""gunicorn configuration of the load bench: each worker notes the processor time of every request it serves.

A sync worker serves one request at a time, so the worker's processor time before and after a request is that
request's. One line per request (`wall clock, processor ms, path?query`) goes to $QIC_CPU_LOG; bench/load.py
sums them per page for the steady state.
"""

import os
import time

_path = os.environ.get("QIC_CPU_LOG")
_started: dict[int, float] = {}


def pre_request(worker, req):
    _started[worker.pid] = time.process_time()


def post_request(worker, req, environ, resp):
    begun = _started.pop(worker.pid, None)
    if _path and begun is not None:
        used = (time.process_time() - begun) * 1000
        target = req.path + (f"?{req.query}" if req.query else "")
        with open(_path, "a") as out:  # appends of one short line do not interleave
            out.write(f"{time.time():.3f}\t{used:.2f}\t{target}\n")
