"""An export's states: queued → running → done → expired, or failed; what the page, its
polling and the download do in each."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from fulian.accounts.models import RoleGrant
from fulian.audit.models import AuditEvent
from fulian.exports import background, services
from fulian.exports.models import ExportJob, Status
from fulian.households.tests.helpers import household
from fulian.testing import html
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

HOUSEHOLDS = services.kind_named("households")


@pytest.fixture
def two(world: World) -> None:
    household(world, "huilong", "周建国", mobile="13907330001")
    household(world, "daqiaotou", "李德福", mobile="13907330002")


def _start(world: World, query: str = "", username: str = "xinshi_staff") -> ExportJob:
    return background.job_start(actor=world.user(username), kind=HOUSEHOLDS, query=QueryDict(query))


def _status(job: ExportJob) -> str:
    return ExportJob.objects.values_list("status", flat=True).get(pk=job.pk)


def _page(world: World) -> Any:
    client = world.client_for("xinshi_staff")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _polls(page: Any) -> bool:
    return html.select_one(page, "#export-status").get("hx-trigger") == "every 2s"


def test_an_export_waits_then_runs_then_is_ready(world: World, two: None, monkeypatch: pytest.MonkeyPatch) -> None:
    job = _start(world)
    assert (job.status, job.total, job.file.name) == (Status.QUEUED, 0, "")
    client = _page(world)
    waiting = client.get(reverse("exports:detail", args=[job.pk]))
    assert html.text(waiting, "#export-status strong") == "Waiting"
    assert _polls(waiting)
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404

    seen: list[str] = []
    original = services.spreadsheet_of

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(_status(job))
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "spreadsheet_of", spy)
    done = services.job_run(job.pk)
    assert seen == [Status.RUNNING]
    assert (done.status, done.total, done.progress, done.message) == (Status.DONE, 2, 2, "")
    assert done.finished_at is not None
    ready = client.get(reverse("exports:detail", args=[job.pk]))
    assert html.text(ready, "#export-status strong") == "Ready to download"
    assert not _polls(ready)
    assert html.select_one(ready, "#export-status a").get("href") == reverse("exports:download", args=[job.pk])
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 200


def test_the_polling_request_gets_the_status_alone(world: World, two: None) -> None:
    job = _start(world)
    fragment = _page(world).get(reverse("exports:detail", args=[job.pk]), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert [e.get("id") for e in html.parse(fragment).children if not isinstance(e, str)] == ["export-status"]


def test_running_a_finished_export_again_changes_nothing(world: World, two: None) -> None:
    job = services.job_run(_start(world, "full=1").pk)
    events = AuditEvent.objects.filter(action="export").count()
    again = services.job_run(job.pk)
    assert (again.status, again.file.name, again.finished_at) == (Status.DONE, job.file.name, job.finished_at)
    assert AuditEvent.objects.filter(action="export").count() == events == 1


def test_an_organisation_no_longer_in_the_requesters_area_fails_the_export(world: World, two: None) -> None:
    job = _start(world, f"org={world.org('huilong').code}")
    # Her role moves to 炎陵县's 霞阳镇 before the export runs.
    RoleGrant.objects.filter(user=world.user("xinshi_staff")).update(org=world.org("xiayang"))
    failed = services.job_run(job.pk)
    assert (failed.status, failed.message) == (Status.FAILED, "No organisation with code 430223123215 in your area.")
    assert not failed.file
    assert failed.finished_at is not None
    page = _page(world).get(reverse("exports:detail", args=[job.pk]))
    assert html.text(page, "#export-status strong") == "Failed"
    assert html.alerts(page, "danger") == ["No organisation with code 430223123215 in your area."]
    assert not _polls(page)
    assert _page(world).get(reverse("exports:download", args=[job.pk])).status_code == 404


def test_an_unexpected_error_fails_the_export_with_a_message_and_no_file(
    world: World, two: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _start(world)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(services, "spreadsheet_of", broken)
    with pytest.raises(OSError, match="disk full"):  # the worker logs it too
        services.job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.message) == (Status.FAILED, "The export failed. Try again, or narrow it.")
    assert not job.file


def test_a_ready_export_expires_a_day_after_it_was_made(world: World, two: None) -> None:
    job = services.job_run(_start(world).pk)
    stored = job.file.path
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(hours=23))
    assert services.prune() == 0
    assert _status(job) == Status.DONE
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(hours=24, minutes=1))
    assert services.prune() == 1
    job.refresh_from_db()
    assert (job.status, job.file.name) == (Status.EXPIRED, "")
    import os

    assert not os.path.exists(stored)
    assert _page(world).get(reverse("exports:download", args=[job.pk])).status_code == 404


def test_the_prune_leaves_exports_that_are_not_ready_alone(world: World, two: None) -> None:
    long_ago = timezone.now() - datetime.timedelta(days=3)
    waiting = _start(world)
    failed = _start(world)
    ExportJob.objects.filter(pk=failed.pk).update(status=Status.FAILED, finished_at=long_ago)
    ExportJob.objects.filter(pk=waiting.pk).update(created_at=long_ago)
    assert services.prune() == 0
    assert (_status(waiting), _status(failed)) == (Status.QUEUED, Status.FAILED)


def test_a_new_export_prunes_the_old_files_first(world: World, two: None) -> None:
    old = services.job_run(_start(world).pk)
    ExportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - datetime.timedelta(hours=25))
    services.job_run(_start(world).pk)
    assert _status(old) == Status.EXPIRED


@pytest.mark.parametrize("status", [Status.QUEUED, Status.RUNNING, Status.FAILED, Status.EXPIRED])
def test_only_a_ready_export_downloads(world: World, two: None, status: str) -> None:
    job = services.job_run(_start(world).pk)
    ExportJob.objects.filter(pk=job.pk).update(status=status)
    assert _page(world).get(reverse("exports:download", args=[job.pk])).status_code == 404


def test_an_export_of_a_deactivated_requester_is_nobodys(world: World, two: None) -> None:
    job = services.job_run(_start(world).pk)
    user = world.user("xinshi_staff")
    assert list(ExportJob.objects.visible_to(user)) == [job]
    user.is_active = False
    assert list(ExportJob.objects.visible_to(user)) == []


def test_a_failure_after_the_file_was_written_leaves_no_file_behind(
    world: World, two: None, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """The database rolls back; the storage does not, so the failed job deletes its file."""
    from pathlib import Path

    job = _start(world, "full=1")

    def audit_down(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(services, "record_full_export", audit_down)
    with pytest.raises(RuntimeError):
        services.job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.file.name) == (Status.FAILED, "")
    assert list(Path(settings.MEDIA_ROOT).rglob("*.bin")) == []
