"""Reminding overdue raters: staff ask on the progress page, the task (run by the task backend
the project is configured with) stamps the overdue assignments and records one audit event; the
page shows the run's state, a failure with its message; the rater's list reads her reminders."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import TestCase
from django.urls import reverse

from fulian.audit.models import AuditEvent
from fulian.campaigns import reminding
from fulian.campaigns.models import RaterAssignment, ReminderRun, ReminderStatus
from fulian.campaigns.selectors import reminders_for
from fulian.campaigns.services import reminders
from fulian.campaigns.tests.test_progress_pages import PAST_DEADLINE, crafted
from fulian.testing import html
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def _remind(world: World, username: str, org: str) -> Any:
    from fulian.campaigns.models import Campaign

    campaign = Campaign.objects.get()
    client = world.client_for(username)
    # The task is queued when the request's transaction commits: run what was queued then.
    with TestCase.captureOnCommitCallbacks(execute=True):
        answer = client.post(reverse("campaigns:reminders_send", args=[campaign.pk]), {"org": world.org(org).pk})
    return client, campaign, answer


def test_the_overdue_raters_of_the_township_are_reminded_in_the_background(
    world: World, clock: Any, english_pages: None
) -> None:
    crafted(world)
    clock.advance(minutes=PAST_DEADLINE)
    client, campaign, answer = _remind(world, "xinshi_staff", "xinshi")
    assert answer.status_code == 302
    run = ReminderRun.objects.get()
    assert (run.status, run.reminded, run.message) == (ReminderStatus.DONE, 2, "")
    reminded = RaterAssignment.objects.filter(reminded_at__isnull=False)
    assert sorted(a.entry.household.head_name for a in reminded) == ["周建国", "李德福"]  # not 王芳 of 炎陵县
    events = AuditEvent.objects.filter(changes__reminded_overdue_raters__isnull=False)
    assert [e.changes["reminded_overdue_raters"] for e in events] == [2]
    page = client.get(reverse("campaigns:progress", args=[campaign.pk]))
    status = html.select_one(page, "[data-testid=reminder-status]")
    assert status.get("data-status") == "done"
    assert "2 assignments reminded" in status.text


def test_the_rater_sees_her_reminded_overdue_assignments(world: World, clock: Any) -> None:
    crafted(world)
    clock.advance(minutes=PAST_DEADLINE)
    _remind(world, "xinshi_staff", "xinshi")
    rater = RaterAssignment.objects.filter(entry__household__head_name="周建国").get().person
    assert [a.entry.household.head_name for a in reminders_for(rater)] == ["周建国"]  # the scored one is not
    other = RaterAssignment.objects.filter(entry__household__head_name="王芳").get().person
    assert list(reminders_for(other)) == []


def test_nobody_is_reminded_before_the_deadline(world: World) -> None:
    crafted(world)
    _remind(world, "city_admin", "city")
    assert ReminderRun.objects.get().reminded == 0
    assert not RaterAssignment.objects.filter(reminded_at__isnull=False).exists()


def test_a_failure_shows_on_the_page_with_its_message(world: World, clock: Any, english_pages: None) -> None:
    crafted(world)
    clock.advance(minutes=PAST_DEADLINE)
    user = world.user("xinshi_staff")
    from fulian.campaigns.models import Campaign

    run = ReminderRun.objects.create(campaign=Campaign.objects.get(), org=world.org("xinshi"), requested_by=user)
    user.is_active = False
    user.save()
    reminding.reminders_send(run.pk)
    run.refresh_from_db()
    assert run.status == ReminderStatus.FAILED
    assert "no longer active" in run.message
    page = world.client_for("city_admin").get(reverse("campaigns:reminder_status", args=[run.pk]))
    assert "no longer active" in html.text(page, "[data-testid=reminder-status] .alert")
    assert not RaterAssignment.objects.filter(reminded_at__isnull=False).exists()


def test_a_viewer_may_not_remind(world: World) -> None:
    crafted(world)
    _client, _campaign, answer = _remind(world, "leader", "city")
    assert answer.status_code == 403
    assert not ReminderRun.objects.exists()


# --- A real worker process on the database backend (as in production) -----------------------

from fulian.imports.tests.test_worker import TIMEOUT, Workers  # noqa: E402


@pytest.fixture
def workers(live_world: World, settings: Any, tmp_path: Any) -> Any:
    """Tasks go to the database and a ``db_worker`` process runs them (see the imports' tests)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.stop()


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_sends_the_reminders(live_world: World, workers: Workers) -> None:
    import datetime
    import time

    from fulian.campaigns.models import Campaign, Stage

    world = live_world
    crafted(world)
    # The worker runs on the real clock: the deadline is put in the past instead.
    Stage.objects.filter(level="village").update(deadline=datetime.date.today() - datetime.timedelta(days=1))
    run = reminders.reminders_start(
        actor=world.user("xinshi_staff"), campaign=Campaign.objects.get(), org=world.org("xinshi")
    )
    assert ReminderRun.objects.get(pk=run.pk).status == ReminderStatus.QUEUED
    workers.start()
    deadline = time.monotonic() + TIMEOUT
    while ReminderRun.objects.get(pk=run.pk).status != ReminderStatus.DONE:
        assert time.monotonic() < deadline, workers.logs()
        time.sleep(0.2)
    assert ReminderRun.objects.get(pk=run.pk).reminded == 2
    assert RaterAssignment.objects.filter(reminded_at__isnull=False).count() == 2
