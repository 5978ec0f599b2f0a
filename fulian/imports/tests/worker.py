"""``manage.py db_worker`` for the worker tests (``test_worker.py``), with one test-only stop.

When ``FULIAN_TEST_PAUSE_DIR`` names a folder, the household import, once it has written its rows
(inside its transaction, not yet committed), creates ``paused`` in that folder and waits until
``resume`` appears there: a test can kill the worker, or cancel the upload, at that exact point.
Run as ``python -m fulian.imports.tests.worker [db_worker options]``; nothing else uses it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any


def _pause_after_writing(folder: Path) -> None:
    from fulian.imports import engine

    kind = engine.kind_named("households")
    write_records = kind.write_records

    def paused(context: Any, records: list[Any]) -> int:
        written = write_records(context, records)
        (folder / "paused").touch()
        deadline = time.monotonic() + 120
        while not (folder / "resume").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return written

    kind.write_records = paused


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if folder := os.environ.get("FULIAN_TEST_PAUSE_DIR"):
        _pause_after_writing(Path(folder))
    from django.core.management import call_command

    call_command("db_worker", *sys.argv[1:])


if __name__ == "__main__":
    main()
