"""The exports of a campaign's lists: .xlsx files holding exactly the rows the user sees under
the same filters (another county's rows absent), phones masked unless full personal data is
asked for (audited), the score sheets with a column per rubric item."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fulian.audit.models import AuditEvent
from fulian.campaigns.models import Campaign
from fulian.campaigns.tests import scope_cases as sc
from fulian.campaigns.tests.test_progress_pages import PAST_DEADLINE, crafted
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def rows(response: Any) -> list[list[Any]]:
    """The data rows (below the title and the header rows)."""
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]


def header(response: Any) -> list[Any]:
    return [c.value for c in next(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2))]


def export(world: World, username: str, kind: str, **params: Any) -> Any:
    url = reverse("campaigns:sheet_export") if kind == "sheets" else reverse("campaigns:export", args=[kind])
    return world.client_for(username).get(url, params)


def test_the_nominations_hold_the_township_staff_rows_only_phones_masked(world: World) -> None:
    campaign = crafted(world)
    found = rows(export(world, "xinshi_staff", "campaign_nominations", campaign=campaign.pk))
    names = sorted(row[4] for row in found)
    assert names == ["刘美", "周建国", "李德福", "钟桃华"]  # 王芳 of 炎陵县 absent
    phones = [row[7] for row in found if row[4] == "刘美"]
    assert phones == ["138****8000"]


def test_a_full_export_shows_the_phone_and_is_audited(world: World) -> None:
    campaign = crafted(world)
    found = rows(export(world, "xinshi_staff", "campaign_nominations", campaign=campaign.pk, full="1"))
    assert [row[7] for row in found if row[4] == "刘美"] == ["13800138000"]
    assert AuditEvent.objects.filter(action="export", changes__kind="campaign_nominations").count() == 1


def test_a_viewer_may_not_export_full_phones(world: World) -> None:
    campaign = crafted(world)
    assert export(world, "leader", "campaign_nominations", campaign=campaign.pk, full="1").status_code == 403


def test_the_filters_narrow_the_export_as_the_list(world: World) -> None:
    campaign = crafted(world)
    pending = rows(export(world, "city_admin", "campaign_nominations", campaign=campaign.pk, status="pending"))
    assert [row[4] for row in pending] == ["刘美"]
    village = rows(export(world, "city_admin", "campaign_entries", campaign=campaign.pk, org=world.org("daqiaotou").pk))
    assert [row[4] for row in village] == ["李德福"]


def test_entries_carry_their_stage_results(world: World) -> None:
    campaign = crafted(world)
    response = export(world, "city_admin", "campaign_entries", campaign=campaign.pk)
    assert len(header(response)) == 19  # 7 columns, and rank, score, outcome at each of the 4 levels
    assert len(rows(response)) == 4


def test_the_overdue_list_holds_the_raters_without_a_sheet_after_the_deadline(world: World, clock: Any) -> None:
    campaign = crafted(world)
    assert rows(export(world, "xinshi_staff", "campaign_raters", campaign=campaign.pk, sheet="overdue")) == []
    clock.advance(minutes=PAST_DEADLINE)
    overdue = rows(export(world, "xinshi_staff", "campaign_raters", campaign=campaign.pk, sheet="overdue"))
    assert sorted(row[4] for row in overdue) == ["周建国", "李德福"]
    everyone = rows(export(world, "city_admin", "campaign_raters", campaign=campaign.pk))
    assert len(everyone) == 4


def test_the_sheets_have_a_column_per_rubric_item(world: World) -> None:
    campaign = crafted(world)
    response = export(world, "xinshi_staff", "sheets", campaign=campaign.pk)
    items = list(campaign.rubric.items.all())
    assert len(header(response)) == 12 + len(items)
    [sheet] = rows(response)
    assert sheet[4] == "钟桃华"
    assert all(value not in (None, "") for value in sheet[12:])


def test_an_outsider_cannot_export_another_county_campaign(world: World) -> None:
    award = sc.make_award(world)
    outsider = export(world, "xinshi_staff", "campaign_awards", campaign=award.campaign.pk)
    assert outsider.status_code == 302  # a campaign outside her area is a filter error: back to the list
    insider = rows(export(world, "yanling_admin", "campaign_awards", campaign=award.campaign.pk))
    assert [row[0] for row in insider] == [award.certificate_no]


def test_objections_export_masks_the_objector_phone(world: World) -> None:
    objection = sc.make_objection(world)
    campaign = Campaign.objects.get(pk=objection.publicity.stage.campaign_id)
    found = rows(export(world, "yanling_admin", "campaign_objections", campaign=campaign.pk))
    assert [(row[4], row[8]) for row in found] == [("钟桃华", "138****8001")]


# Every campaign export kind, with a record of 炎陵县's campaign to find in it.
KIND_RECORDS: dict[str, Any] = {
    "campaign_nominations": lambda world: sc.make_nomination(world).campaign,
    "campaign_entries": lambda world: sc.make_entry(world).campaign,
    "campaign_raters": lambda world: sc.make_rater_assignment(world).stage.campaign,
    "campaign_objections": lambda world: sc.make_objection(world).publicity.stage.campaign,
    "campaign_awards": lambda world: sc.make_award(world).campaign,
    "sheets": lambda world: sc.make_sheet(world).stage.campaign,
}


@pytest.mark.parametrize("kind", sorted(KIND_RECORDS))
def test_each_export_holds_the_campaign_for_its_county_and_nothing_for_another(world: World, kind: str) -> None:
    campaign = KIND_RECORDS[kind](world)
    assert rows(export(world, "yanling_admin", kind, campaign=campaign.pk))
    outsider = export(world, "xinshi_staff", kind, campaign=campaign.pk)
    assert outsider.status_code in (302, 404)
    assert "钟桃华".encode() not in outsider.content
