"""Two at once: two reviewers confirming the same record, a phone sending one record twice, two
records of one day that together pass 24 hours, two staff escalating the same request. Real
threads on real connections; nothing is counted twice.

On PostgreSQL the services lock rows (``select_for_update``); on SQLite every transaction takes
the write lock up front (``transaction_mode="IMMEDIATE"``), so the same calls queue behind one
another and the same outcomes hold: the tests run on both."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant
from fulian.duties.choices import StepKind
from fulian.duties.services import requests, review
from fulian.duties.tests import helpers as h
from fulian.grid.choices import DEFAULT_WORK_MODES, RecordStatus
from fulian.grid.models import Contact, WorkMode
from fulian.households.tests.helpers import household
from fulian.testing.world import World


@pytest.fixture
def live_world(live_world: World) -> World:
    """The live world, with the work modes its flush took away (a migration made them)."""
    for position, (name, name_en) in enumerate(DEFAULT_WORK_MODES, start=1):
        WorkMode.objects.get_or_create(name=name, defaults={"name_en": name_en, "position": position * 10})
    return live_world


def _together(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread, released together; each gives its result or its error."""
    start = threading.Barrier(len(calls), timeout=20)

    def run(call: Callable[[], Any]) -> Any:
        translation.activate("en")  # a thread starts without the test's language
        try:
            start.wait()
            return call()
        except ValidationError as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _staff(world: World, username: str, org: str = "xinshi") -> Any:
    account = get_user_model().objects.create_user(username=username, password="Test-Passw0rd!", org=world.org(org))
    RoleGrant.objects.create(user=account, org=world.org(org), role=Role.STAFF)
    return account


def test_two_reviewers_confirming_the_same_record_at_once_confirm_it_once(live_world: World) -> None:
    world = live_world
    her = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    made = h.record(world, her, half_hours=3)
    second = _staff(world, "xinshi_staff2")

    def confirm(actor: Any) -> Callable[[], Any]:
        return lambda: review.record_confirm(actor=actor, record=made)

    outcomes = _together(confirm(world.user("xinshi_staff")), confirm(second))
    errors = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(errors) == 1, outcomes
    assert "already confirmed" in errors[0].messages[0]
    made.refresh_from_db()
    assert made.status == RecordStatus.CONFIRMED
    confirmer = next(o for o in outcomes if isinstance(o, Contact))
    assert made.reviewed_by_id == confirmer.reviewed_by_id
    assert Contact.objects.counted().count() == 1
    assert sum(Contact.objects.counted().values_list("half_hours", flat=True)) == 3


def test_bulk_confirming_beside_a_single_confirmation_counts_each_record_once(live_world: World) -> None:
    world = live_world
    her = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    home = household(world, "huilong", "周建国")
    made = [h.record(world, her, households=[home]) for _ in range(3)]
    second = _staff(world, "xinshi_staff2")
    outcomes = _together(
        lambda: review.records_confirm(actor=world.user("xinshi_staff"), ids=[r.pk for r in made]),
        lambda: review.record_confirm(actor=second, record=made[1]),
    )
    assert Contact.objects.filter(status=RecordStatus.CONFIRMED).count() == 3
    bulk = next(o for o in outcomes if isinstance(o, tuple))
    single = next(o for o in outcomes if not isinstance(o, tuple))
    # Either the single confirmation came first (the bulk one says so) or it came too late.
    assert (bulk[0], isinstance(single, ValidationError)) in ((2, False), (3, True))


def test_the_same_client_key_sent_twice_at_once_makes_one_record(live_world: World) -> None:
    world = live_world
    her = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    home = household(world, "huilong", "周建国")
    key = uuid.uuid4()

    def send() -> Any:
        return h.record(world, her, households=[home], client_key=key)

    outcomes = _together(send, send)
    assert Contact.objects.count() == 1
    assert {o.pk for o in outcomes} == {Contact.objects.get().pk}


def test_two_records_of_one_day_passing_24_hours_together_are_not_both_kept(live_world: World) -> None:
    world = live_world
    her = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    home = household(world, "huilong", "周建国")

    def send() -> Any:
        return h.record(world, her, households=[home], half_hours=30)

    outcomes = _together(send, send)
    errors = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(errors) == 1, outcomes
    assert list(errors[0].message_dict) == ["half_hours"]
    assert Contact.objects.count() == 1
    assert sum(Contact.objects.values_list("half_hours", flat=True)) == 30


def test_a_correction_and_a_second_correction_at_once_make_one(live_world: World) -> None:
    world = live_world
    her = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    made = h.record(world, her)
    review.record_confirm(actor=world.user("xinshi_staff"), record=made)

    def correct() -> Any:
        return h.record(world, her, supersedes=made, correction_reason="时长记错了", half_hours=4)

    outcomes = _together(correct, correct)
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1, outcomes
    assert Contact.objects.filter(supersedes=made).count() == 1


def test_two_staff_escalating_the_same_request_at_once_escalate_it_once(live_world: World) -> None:
    world = live_world
    rep = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    request = h.request(world, rep)
    second = _staff(world, "xinshi_staff2")

    def escalate(actor: Any) -> Callable[[], Any]:
        return lambda: requests.request_escalate(actor=actor, request=request, reason="村里解决不了")

    outcomes = _together(escalate(world.user("xinshi_staff")), escalate(second))
    request.refresh_from_db()
    assert request.holder == world.org("xinshi")
    assert request.steps.filter(kind=StepKind.ESCALATE).count() == 1
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
