"""Exports of long lists, prepared in the background for their requester alone."""

import datetime
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fulian.accounts.models import RoleGrant
from fulian.audit.models import AuditEvent
from fulian.exports import background, services
from fulian.exports.models import ExportJob, Status
from fulian.households.tests.helpers import household
from fulian.testing import html
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

NUMBERS = [id_number("430223", f"1960010{n}", "M") for n in range(1, 4)]


@pytest.fixture
def three(world: World) -> None:
    for n, number in enumerate(NUMBERS):
        household(world, "huilong", f"周{n}", id_number=number, mobile=f"1390733000{n}")
    household(world, "shucai", "炎陵户")  # another county: never in xinshi_staff's export


def _cells(content: bytes) -> list[Any]:
    return [c.value for row in load_workbook(io.BytesIO(content)).active.iter_rows() for c in row]


def _prepare(client: Any, query: str, capture: Any) -> ExportJob:
    with capture(execute=True):
        response = client.post(reverse("exports:create"), {"kind": "households", "query": query})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:detail", args=[job.pk])
    return job


@override_settings(FULIAN_EXPORT_SYNC_ROWS=2)
def test_a_long_list_is_offered_then_prepared_in_the_background(
    world: World, three: None, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.client_for("xinshi_staff")
    offer = client.get(reverse("households:export"), {"q": "周"})
    assert offer.status_code == 200
    assert 'name="query" value="q=%E5%91%A8"' in offer.content.decode()
    assert not ExportJob.objects.exists()  # a GET only offers
    job = _prepare(client, "q=%E5%91%A8", django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.total, job.fmt, job.full) == (Status.DONE, 3, "xlsx", False)
    page = client.get(reverse("exports:detail", args=[job.pk])).content.decode()
    assert reverse("exports:download", args=[job.pk]) in page
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert "filename*=UTF-8''" in download["Content-Disposition"]
    cells = _cells(download.content)
    assert {"周0", "周1", "周2"} <= set(cells)
    assert "炎陵户" not in cells
    assert not any(number in cells for number in NUMBERS)  # masked
    assert "139****0000" in cells
    with job.file.open("rb") as stored:
        assert b"PK" not in stored.read()[:4]  # kept encrypted, not as the .xlsx itself
    assert reverse("exports:detail", args=[job.pk]) in client.get(reverse("exports:list")).content.decode()


@override_settings(FULIAN_EXPORT_SYNC_ROWS=2)
def test_a_full_export_in_the_background_is_permitted_and_audited(
    world: World, three: None, django_capture_on_commit_callbacks: Any
) -> None:
    assert (
        world.client_for("huilong_zhiwei")
        .post(reverse("exports:create"), {"kind": "households", "query": "full=1"})
        .status_code
        == 403
    )
    assert not ExportJob.objects.exists()
    client = world.client_for("xinshi_staff")
    job = _prepare(client, "full=1&format=csv", django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.fmt, job.full) == (Status.DONE, "csv", True)
    text = client.get(reverse("exports:download", args=[job.pk])).content.decode("utf-8-sig")
    assert all(number in text for number in NUMBERS)
    event = AuditEvent.objects.get(action="export")
    assert event.changes["rows"] == 3
    assert event.actor is not None
    assert event.actor.username == "xinshi_staff"


@override_settings(FULIAN_EXPORT_SYNC_ROWS=1, FULIAN_EXPORT_MAX_ROWS=2)
def test_an_export_over_the_limit_asks_to_be_narrowed(world: World, three: None) -> None:
    client = world.client_for("xinshi_staff")
    response = client.post(
        reverse("exports:create"),
        {"kind": "households", "query": "q=%E5%91%A8"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert not ExportJob.objects.exists()
    assert html.alerts(response, "danger") == ["More than 2 rows: choose an organisation to narrow the export."]
    assert response.redirect_chain == [(f"{reverse('households:list')}?q=%E5%91%A8", 302)]


def test_a_role_taken_away_before_the_file_is_made_fails_the_export(world: World, three: None) -> None:
    job = background.job_start(actor=world.user("xinshi_staff"), kind=services.kind_named("households"), query=_q(""))
    RoleGrant.objects.filter(user=world.user("xinshi_staff")).delete()
    job = services.job_run(job.pk)
    assert job.status == Status.FAILED
    assert job.message == "You do not have permission to do this here."
    assert not job.file


def test_only_those_who_see_the_list_may_ask_for_its_export(world: World, three: None) -> None:
    response = world.client_for("nobody").post(reverse("exports:create"), {"kind": "households", "query": ""})
    assert response.status_code == 403
    assert not ExportJob.objects.exists()
    assert world.client_for("xinshi_staff").post(reverse("exports:create"), {"kind": "nothing"}).status_code == 404


def test_the_daily_prune_deletes_old_files(world: World, three: None) -> None:
    job = services.job_run(
        background.job_start(actor=world.user("xinshi_staff"), kind=services.kind_named("households"), query=_q("")).pk
    )
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(hours=25))
    out = io.StringIO()
    call_command("prune_exports", stdout=out)
    assert out.getvalue() == "Deleted the files of 1 exports older than 24 hours.\n"
    job.refresh_from_db()
    assert job.status == Status.EXPIRED


def test_files_are_deleted_a_day_after_they_were_made(world: World, three: None) -> None:
    job = services.job_run(
        background.job_start(actor=world.user("xinshi_staff"), kind=services.kind_named("households"), query=_q("")).pk
    )
    client = world.client_for("xinshi_staff")
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 200
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(hours=25))
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404
    page = client.get(reverse("exports:detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Deleted after 24 hours" in page
    assert reverse("exports:download", args=[job.pk]) not in page
    assert services.prune() == 1
    job.refresh_from_db()
    assert job.status == Status.EXPIRED
    assert not job.file


def test_the_list_of_exports_runs_the_same_queries_for_few_or_many(world: World, three: None) -> None:
    client = world.client_for("xinshi_staff")
    kind = services.kind_named("households")
    background.job_start(actor=world.user("xinshi_staff"), kind=kind, query=_q(""))
    client.get(reverse("exports:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("exports:list"))
    for _ in range(30):
        background.job_start(actor=world.user("xinshi_staff"), kind=kind, query=_q(""))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("exports:list"))
    assert len(html.select(response, "main tbody tr")) == 31
    assert len(many) == len(few)


def _q(query: str) -> Any:
    from django.http import QueryDict

    return QueryDict(query)
