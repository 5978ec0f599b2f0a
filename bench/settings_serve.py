"""Settings for serving the bench database as production would: ``config.settings`` unchanged
(keys from FULIAN_DEV_KEYS=1, DEBUG off, persistent connections from FULIAN_CONN_MAX_AGE),
except that collected static files go to a folder outside the repository
(``FULIAN_BENCH_STATIC_ROOT``, default /tmp/fulian-bench-static), which bench/people_scale.py
fills with ``collectstatic`` before it starts gunicorn."""

import os
from pathlib import Path

from config.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ.get("FULIAN_BENCH_STATIC_ROOT", "/tmp/fulian-bench-static"))  # noqa: S108
