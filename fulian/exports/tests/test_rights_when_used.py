"""A prepared export is made, and downloaded, only while its requester still holds the rights it
needs: a full (unmasked) export the reveal right, every export the right to see its list."""

from pathlib import Path
from typing import Any

import pytest
from django.http import QueryDict
from django.test import override_settings
from django.urls import reverse

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant
from fulian.core.scoping import can
from fulian.exports import background, services
from fulian.exports.models import ExportJob, Status
from fulian.households.tests.helpers import household
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("three")]

NUMBERS = [id_number("430223", f"1960010{n}", "M") for n in range(1, 4)]
FULL_GONE = "You no longer hold the right to see full ID and phone numbers in this list, so the file was deleted."
VIEW_GONE = "You no longer see the rows of this export (a role was taken away), so the file was deleted."


@pytest.fixture
def three(world: World) -> None:
    for n, number in enumerate(NUMBERS):
        household(world, "huilong", f"周{n}", id_number=number, mobile=f"1390733000{n}")


def _prepared(world: World, query: str) -> ExportJob:
    kind = services.kind_named("households")
    job = services.job_run(background.job_start(actor=world.user("xinshi_staff"), kind=kind, query=QueryDict(query)).pk)
    assert job.status == Status.DONE, job.message
    return job


def _narrow_to_viewer(world: World) -> None:
    """Staff → viewer at the same township: the list stays visible, full numbers do not."""
    user = world.user("xinshi_staff")
    assert can(user, "households.reveal", world.org("xinshi"))  # loaded into this process's cache
    RoleGrant.objects.filter(user=user).update(role=Role.VIEWER)


def _download(world: World, job: ExportJob) -> Any:
    return world.client_for("xinshi_staff").get(
        reverse("exports:download", args=[job.pk]), headers={"accept-language": "en"}
    )


def test_a_full_export_is_refused_at_download_once_the_reveal_right_is_gone(world: World) -> None:
    job = _prepared(world, "full=1&format=csv")
    stored = Path(job.file.path)
    assert all(number in _download(world, job).content.decode("utf-8-sig") for number in NUMBERS)
    _narrow_to_viewer(world)
    refused = _download(world, job)
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("text/html")
    page = refused.content.decode()
    assert FULL_GONE in page
    assert not any(number in page for number in NUMBERS)
    job.refresh_from_db()
    assert (job.status, job.message) == (Status.FAILED, FULL_GONE)
    assert not job.file
    assert not stored.exists()
    assert _download(world, job).status_code == 404  # and stays refused
    page = world.client_for("xinshi_staff").get(
        reverse("exports:detail", args=[job.pk]), headers={"accept-language": "en"}
    )
    assert FULL_GONE in page.content.decode()


def test_a_masked_export_needs_only_the_list_so_it_survives_losing_the_reveal_right(world: World) -> None:
    job = _prepared(world, "format=csv")
    _narrow_to_viewer(world)
    text = _download(world, job).content.decode("utf-8-sig")
    assert "139****0000" in text
    assert not any(number in text for number in NUMBERS)


def test_any_export_is_refused_at_download_once_its_list_is_out_of_reach(world: World) -> None:
    job = _prepared(world, "format=csv")
    RoleGrant.objects.filter(user=world.user("xinshi_staff")).delete()
    refused = _download(world, job)
    assert refused.status_code == 403
    assert VIEW_GONE in refused.content.decode()
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert not job.file


def test_a_full_export_run_after_the_reveal_right_is_gone_fails_with_a_message(world: World) -> None:
    kind = services.kind_named("households")
    job = background.job_start(actor=world.user("xinshi_staff"), kind=kind, query=QueryDict("full=1"))
    _narrow_to_viewer(world)
    job = services.job_run(job.pk)
    assert job.status == Status.FAILED
    assert job.message == "You may not export full ID and phone numbers here."
    assert not job.file
    page = (
        world.client_for("xinshi_staff")
        .get(reverse("exports:detail", args=[job.pk]), headers={"accept-language": "en"})
        .content.decode()
    )
    assert "You may not export full ID and phone numbers here." in page
    assert "hx-trigger" not in page


@override_settings(FULIAN_EXPORT_SYNC_ROWS=2)
def test_the_refusal_reaches_the_page_through_the_background_task(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.client_for("xinshi_staff")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(
            reverse("exports:create"), {"kind": "households", "query": "full=1"}, headers={"accept-language": "en"}
        )
    _narrow_to_viewer(world)
    for run in queued:
        run()  # the worker runs the job after the role was narrowed
    job = ExportJob.objects.get()
    assert job.status == Status.FAILED
    page = client.get(reverse("exports:detail", args=[job.pk]), headers={"accept-language": "en"})
    assert "You may not export full ID and phone numbers here." in page.content.decode()
