"""Benchmark: import a 100,000-row household .xlsx — preview, then commit — as IT staff do with
``manage.py import_households FILE --org CODE --commit``.

Prints one JSON object per figure (``name``, ``value``, ``unit``; the floor and ratio where
one is named): the preview and commit times, rows/s, the peak memory of the importing process,
and python-calamine's parse-only time on the same file (the floor). The file is made once
(openpyxl, write-only) in a temporary folder: households spread over the villages of 攸县, with
a township column, valid ID numbers, phones, addresses and categories, as a county sends them.

Usage (PostgreSQL, as the task's figures are taken)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test FULIAN_DEV_KEYS=1 \\
        .venv/bin/python bench/import_households.py [--rows 100000] [--groups]

``--groups`` adds a 村民小组 column naming twelve groups per village, none of which exists yet,
each spelled three ways (``3组``, ``三组``, ``第三村民小组``): the import creates them.

It runs in a throwaway test database (``test_<name>``), created and dropped by the run. The
import itself runs in a child process so that its peak memory is measured on its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("FULIAN_TESTING", "1")
# A named test database (a file on SQLite), so that the child process can open it too.
os.environ.setdefault("FULIAN_TEST_DB_NAME", "test_fulian_import_bench")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

COUNTY = "430223"  # 攸县
CATEGORIES = ["", "", "", "脱贫户", "低保户", "三留户", "军属", "脱贫户、三留户", "困难家庭"]


def emit(name: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit, **extra}, ensure_ascii=False), flush=True)


SPELLINGS = ("{n}组", "{cn}组", "第{cn}村民小组")


def make_file(path: Path, rows: int, *, groups: bool = False) -> None:
    from openpyxl import Workbook

    from fulian.demo.generate import Generator
    from fulian.orgs.models import Organisation
    from fulian.orgs.names import chinese_numeral

    villages = list(
        Organisation.objects.filter(level="village", path__startswith=f"/430200/{COUNTY}/")
        .select_related("parent")
        .order_by("path")
    )
    gen = Generator(seed=100_000)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("户情台账")
    sheet.append(["株洲市攸县妇联户情台账（基准测试）"])
    group_header = ["村民小组"] if groups else []
    rest = ["户主姓名", "身份证号码", "联系电话", "家庭住址", "人口数", "户类别"]
    sheet.append(["乡镇（街道）", "村（社区）", *group_header, *rest])
    for n in range(rows):
        village = villages[n % len(villages)]
        head = gen.person(COUNTY, gender="M" if n % 5 else "F", youngest=30, oldest=80)
        number = n // len(villages) % 12 + 1
        group = [SPELLINGS[n % 3].format(n=number, cn=chinese_numeral(number))] if groups else []
        sheet.append(
            [
                village.parent.display_name if village.parent else "",
                village.display_name,
                *group,
                head.name,
                head.id_number,
                head.mobile,
                f"{village.display_name}{n % 12 + 1}组{n % 80 + 1}号",
                n % 6 + 1,
                CATEGORIES[n % len(CATEGORIES)],
            ]
        )
    book.save(path)


def child(path: str) -> None:
    """The measured part: what ``import_households --commit`` does, timed step by step."""
    from fulian.audit.recorder import audit_context
    from fulian.imports import engine
    from fulian.imports.work import lock_city
    from fulian.orgs.models import Organisation

    connection.close()
    connection.settings_dict["NAME"] = os.environ["FULIAN_BENCH_DB"]
    county = Organisation.objects.get(code=COUNTY)
    kind = engine.kind_named("households")
    data = Path(path).read_bytes()
    with audit_context(actor_name="bench"):
        start = time.perf_counter()
        evaluation = engine.evaluate(kind, data, "bench.xlsx", org=county, actor=None)
        previewed = time.perf_counter()
        _evaluation, written = engine.write(
            kind,
            data,
            "bench.xlsx",
            org=county,
            actor=None,
            expected_sha256=evaluation.sha256,
            prior=evaluation,
            lock=lambda: lock_city(county),
        )
        committed = time.perf_counter()
    print(
        json.dumps(
            {
                "rows": evaluation.total,
                "valid": evaluation.valid,
                "problems": evaluation.problem_rows,
                "written": written,
                "new_groups": sum(len(v["groups"]) for v in evaluation.new_groups),
                "preview_s": previewed - start,
                "commit_s": committed - previewed,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--groups", action="store_true", help="name 12 new groups per village")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from io import StringIO

        from fulian.accounts import demo as accounts_demo
        from fulian.orgs import demo as orgs_demo

        orgs_demo.load(StringIO())
        accounts_demo.load(StringIO())
        folder = Path(tempfile.mkdtemp())
        path = folder / "households.xlsx"
        made = time.perf_counter()
        make_file(path, args.rows, groups=args.groups)
        emit(
            "import_file_made", time.perf_counter() - made, "s", rows=args.rows, mb=round(path.stat().st_size / 1e6, 1)
        )

        from python_calamine import CalamineWorkbook

        start = time.perf_counter()
        CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        floor = time.perf_counter() - start
        emit("calamine_parse_only", floor, "s", rows_per_s=round(args.rows / floor))

        out = subprocess.run(  # noqa: S603 - this very script, with a path it made
            [sys.executable, __file__, "--child", str(path)],
            env={**os.environ, "FULIAN_BENCH_DB": test_name},
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        total = result["preview_s"] + result["commit_s"]
        emit("import_preview", result["preview_s"], "s", rows=result["rows"], problems=result["problems"])
        emit("import_commit", result["commit_s"], "s", written=result["written"], new_groups=result["new_groups"])
        emit(
            "import_preview_plus_commit",
            total,
            "s",
            target=30,
            rows_per_s=round(result["rows"] / total),
            floor_calamine_parse_s=round(floor, 3),
            ratio_to_floor=round(total / floor, 1),
            database=connection.vendor,
        )
        emit("import_peak_memory", result["peak_mb"], "MB", target=400)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
