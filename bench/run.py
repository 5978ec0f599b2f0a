"""Benchmarks of the organisation pages and API on the full Zhuzhou tree (1,522 organisations).

Runs in a throwaway test database (SQLite, or PostgreSQL with DATABASE_URL), loads the
shipped divisions and the demo accounts, then times each page server-side through Django's
test client (no network), printing one JSON object per figure:
    {"name": ..., "value": ..., "unit": ..., "queries": ...}
Usage: make bench   (or FULIAN_TESTING=1 .venv/bin/python bench/run.py [--repeat 200])
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("FULIAN_TESTING", "1")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def measure(client: Client, url: str, repeat: int) -> tuple[list[float], int]:
    client.get(url)  # warm up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return times, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from django.core.management import call_command

        from fulian.accounts.models import User
        from fulian.accounts.testing import force_login
        from fulian.orgs.models import Organisation

        call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        client = Client()
        # The city's administrator logs in with a second factor: a session as after both steps.
        force_login(client, User.objects.get(username="city_admin"))
        huilong = Organisation.objects.get(code="430223123215")
        xinshi = Organisation.objects.get(code="430223123")
        pages = {
            "org_tree_root": "/orgs/",
            "org_children_township": f"/orgs/{xinshi.pk}/children/",
            "org_search_initials_city": "/orgs/?search=hlc",
            "org_search_name_city": "/orgs/?search=%E6%9D%91",  # 村: matches ~1,000 villages
            "org_detail_village": f"/orgs/{huilong.pk}/",
            "api_org_list_city": "/api/v1/orgs/?page_size=50",
            "api_org_search_city": "/api/v1/orgs/?search=hlc",
            "api_org_detail_village": f"/api/v1/orgs/{huilong.pk}/",
        }
        print(
            json.dumps(
                {
                    "name": "organisations",
                    "value": Organisation.objects.count(),
                    "unit": "rows",
                    "database": connection.vendor,
                }
            )
        )
        for name, url in pages.items():
            times, queries = measure(client, url, args.repeat)
            times.sort()
            p95 = times[int(len(times) * 0.95) - 1]
            print(
                json.dumps(
                    {
                        "name": f"{name}_p50",
                        "value": round(statistics.median(times), 2),
                        "unit": "ms",
                        "queries": queries,
                    }
                )
            )
            print(json.dumps({"name": f"{name}_p95", "value": round(p95, 2), "unit": "ms", "queries": queries}))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
