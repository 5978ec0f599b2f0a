"""The API answers as its published schema says, for every demo role (schemathesis, in process).

Every operation of ``docs/openapi.yaml`` is called through the WSGI application, on the demo's
data, with generated requests, valid ones and deliberately wrong ones:

- a few random requests (the fuzzing phase) as each demo role;
- every boundary and wrong value the schema implies (the coverage phase: an empty value, a
  wrong type, a value outside an enum, a missing required field...) as the role whose work the
  operation is (the security officer for accounts, the audit officer for the log, the city's
  administrator for the rest), where the request gets past the permission check.

Any 5xx, a wrong request that is accepted, or a status, content type, header or body the schema
does not declare fails the test. The requests are the same on every run (derandomised).

Each operation and role starts from the demo as loaded: what one operation deletes,
deactivates or revokes (the caller's own token or password included) is rolled back before the
next, so no operation needs leaving out (``scripts/fuzz_api.sh``, against a served demo, has to
leave out those that end its own token).
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from fulian.accounts.models import User
from fulian.accounts.tokens import token_issue

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
# One demo account per role (the county's administrator and the city's, who needs two factors).
ROLES = ["huilong_zhiwei", "xinshi_staff", "youxian_admin", "city_admin", "leader", "auditor", "security"]
# Whose work an operation is, by its path: the boundary values are sent as that role.
OWNERS = {"accounts": "security", "role-grants": "security", "api-tokens": "security", "audit": "auditor"}
# Random requests per operation and role.
EXAMPLES = 5
# What the out-of-suite run (scripts/fuzz_api.sh) checks. Not ``positive_data_acceptance``:
# the schema cannot say which ids exist or are within the caller's reach, so a valid-looking
# request is rightly refused (404, or a 400 naming an id outside the caller's subtree).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    missing_required_header,
]
SETTINGS = settings(
    max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def _schema(*phases: str) -> Any:
    config = SchemathesisConfig.from_dict(
        {
            "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True, "database": "none"},
            "phases": {name: {"enabled": name in phases} for name in ("examples", "coverage", "fuzzing", "stateful")},
        }
    )
    schema = schemathesis.openapi.from_path(SCHEMA_FILE, config=config)
    schema.app = application
    return schema


FUZZING = _schema("examples", "fuzzing")
COVERAGE = _schema("coverage")


@pytest.fixture(scope="module")
def demo_tokens(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, str]]:
    """The demo loaded once for this module (rolled back after it), and a token per demo
    account, issued as after a second factor (the officers need one). As in Django's test
    client, a request does not close the connection (that would end the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", stdout=StringIO())
            if connection.vendor == "postgresql":
                # The demo is not committed, so autovacuum never measures it: without statistics
                # the planner takes its tables for empty and runs the city's figures as nested
                # loops over every row (minutes). ANALYZE sees this transaction's own rows.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            tokens = {
                username: token_issue(
                    request=None, user=User.objects.get(username=username), name="fuzz", two_factor=True
                )[1]
                for username in ROLES
            }
            # Check the demo's deferred foreign keys now, once: each test's rollback would
            # otherwise bring them back, and PostgreSQL would check them all after every test.
            connection.check_constraints()
            yield tokens
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@pytest.fixture(params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _call(case: Any, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {token}", "Accept-Language": "en"}, checks=CHECKS)


@FUZZING.parametrize()
@SETTINGS
def test_every_role_gets_the_answers_the_schema_declares(
    case: Any, role: str, demo_tokens: dict[str, str], db: Any
) -> None:
    _call(case, demo_tokens[role])


@COVERAGE.parametrize()
@SETTINGS
def test_every_wrong_value_gets_an_answer_the_schema_declares(case: Any, demo_tokens: dict[str, str], db: Any) -> None:
    area = case.operation.path.removeprefix("/api/v1/").split("/")[0]
    _call(case, demo_tokens[OWNERS.get(area, "city_admin")])
