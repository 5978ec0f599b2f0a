"""The set-up pages: staff list campaigns, make one with its stages and rubric, change it, open
it; list, copy, edit and version rubrics; a household's page shows its awards. Every write goes
through the services: bad input gets its message beside the field and writes nothing."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.campaigns.choices import CampaignKind, CampaignStatus, ItemKind, StageStatus
from fulian.campaigns.models import Campaign, Rubric
from fulian.campaigns.services import awards, setup
from fulian.campaigns.tests import helpers as h
from fulian.campaigns.tests.scope_cases import make_award, make_sheet
from fulian.testing.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

LIST = reverse("campaigns:list")
NEW = reverse("campaigns:create")
RUBRICS = reverse("campaigns:rubric_list")
NEW_RUBRIC = reverse("campaigns:rubric_create")
YEAR = h.YEAR


def text(response: Any) -> str:
    return response.content.decode()


def campaign_data(world: World, org: str = "city", **values: Any) -> dict[str, Any]:
    """A new campaign's form as a page without JavaScript sends it: its two stage rows."""
    data: dict[str, Any] = {
        "org": world.org(org).code,
        "org_text": "",
        "kind": CampaignKind.COURTYARD,
        "name": "最美庭院",
        "year": str(YEAR),
        "rubric": "tcourtyard",
        "description": "",
        "nominations_open": "on",
        "nominations_until": "",
        "vote_weight": "30",
        "award_title": f"{YEAR}年度最美庭院",
        "stages-TOTAL_FORMS": "2",
        "stages-INITIAL_FORMS": "2",
        "stages-MIN_NUM_FORMS": "0",
        "stages-MAX_NUM_FORMS": "4",
        "stages-0-level": "village",
        "stages-0-deadline": f"{YEAR}-09-30",
        "stages-0-raters": "3",
        "stages-0-quota": "2",
        "stages-0-quota_unit": "count",
        "stages-0-publicity_days": "0",
        "stages-1-level": "township",
        "stages-1-deadline": f"{YEAR}-11-30",
        "stages-1-raters": "5",
        "stages-1-quota": "20",
        "stages-1-quota_unit": "share",
        "stages-1-publicity_days": "5",
    }
    data.update(values)
    return data


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_the_campaigns_of_the_subtree_and_those_above_that_reach_down(world):
    city = h.campaign(world, "city", open_=False)
    yanling = h.campaign(world, "yanling")
    client = world.client_for("xinshi_staff")
    body = text(client.get(LIST))
    assert f'href="{reverse("campaigns:detail", args=[city.pk])}"' in body
    assert f'href="{reverse("campaigns:detail", args=[yanling.pk])}"' not in body
    assert f'href="{NEW}"' in body  # staff set campaigns up


def test_a_member_sees_the_list_without_the_new_campaign_button(world):
    h.campaign(world, "city")
    body = text(world.client_for("huilong_zhiwei").get(LIST))
    assert "最美庭院" in body
    assert f'href="{NEW}"' not in body
    assert world.client_for("huilong_zhiwei").get(NEW).status_code == 403


def test_the_list_filters_by_year_kind_status_and_name_newest_year_first(world):
    old = h.campaign(world, "city", open_=False)
    Campaign.objects.filter(pk=old.pk).update(year=YEAR - 1, name="往年评选")
    current = h.campaign(world, "city")
    client = world.client_for("city_admin")

    def shown(**params: Any) -> list[int]:
        response = client.get(LIST, params)
        assert response.status_code == 200
        return [c.pk for c in response.context["page"].items]

    assert shown() == [current.pk, old.pk]
    assert shown(year=YEAR - 1) == [old.pk]
    assert shown(status=CampaignStatus.OPEN) == [current.pk]
    assert shown(search="往年") == [old.pk]
    assert shown(kind=CampaignKind.FAMILY) == []
    response = client.get(LIST, {"year": "abc"})
    assert response.context["page"].items == []
    assert response.context["form"].errors["year"]


def test_the_list_runs_the_same_queries_for_few_or_many_campaigns(world):
    client = world.client_for("xinshi_staff")
    h.campaign(world, "city")
    client.get(LIST)  # the user's grants are cached from here on
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    for n in range(6):
        h.campaign(world, "xinshi" if n % 2 else "city", ("village",), open_=n % 3 == 0)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(response.context["page"].items) == 7
    assert len(many.captured_queries) == len(few.captured_queries)


# --- making a campaign ---------------------------------------------------------------------------


def test_the_city_makes_a_campaign_with_its_stages_from_an_example_rubric(world):
    client = world.client_for("city_admin")
    page = client.get(NEW)
    assert page.status_code == 200
    assert page.context["stages"].total_form_count() == 2  # a village and a township stage
    response = client.post(NEW, campaign_data(world))
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:detail", args=[campaign.pk])
    assert (campaign.org, campaign.year, campaign.vote_weight) == (world.org("city"), YEAR, 30)
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.rubric.org == world.org("city")  # the example copied for the city
    village, township = campaign.stages.order_by("order")
    assert (village.level, village.raters, village.quota_count, village.quota_share) == ("village", 3, 2, None)
    assert (township.level, township.raters, township.quota_count) == ("township", 5, None)
    assert township.quota_share == Decimal(20)
    assert township.publicity_days == 5


def test_a_third_stage_row_is_read_and_a_row_without_level_left_out(world):
    data = campaign_data(
        world,
        **{
            "stages-TOTAL_FORMS": "4",
            "stages-2-level": "county",
            "stages-2-deadline": f"{YEAR}-12-10",
            "stages-2-raters": "3",
            "stages-2-quota": "10",
            "stages-2-quota_unit": "count",
            "stages-2-publicity_days": "5",
            "stages-3-level": "",
            "stages-3-quota_unit": "count",
        },
    )
    assert world.client_for("city_admin").post(NEW, data).status_code == 302
    assert [s.level for s in Campaign.objects.get().stages.order_by("order")] == ["village", "township", "county"]


def test_a_rubric_of_the_federation_can_be_chosen(world):
    rubric = h.rubric(world, "city", "courtyard_2021")
    client = world.client_for("city_admin")
    assert f'value="r{rubric.pk}"' in text(client.get(NEW))
    assert client.post(NEW, campaign_data(world, rubric=f"r{rubric.pk}")).status_code == 302
    assert Campaign.objects.get().rubric == rubric
    assert Rubric.objects.count() == 1


def test_errors_stand_beside_their_field_and_the_values_stay(world):
    client = world.client_for("city_admin")
    data = campaign_data(world, name="", vote_weight="80", **{"stages-1-deadline": "", "stages-0-raters": "3"})
    response = client.post(NEW, data)
    body = text(response)
    assert response.status_code == 400
    form, stages = response.context["form"], response.context["stages"]
    assert "name" in form.errors
    assert "vote_weight" in form.errors
    assert stages.forms[1].errors["deadline"] == ["This field is required."]
    assert f'value="{YEAR}年度最美庭院"' in body  # the award title typed is kept
    assert 'value="20' in body  # and the township's share
    assert Campaign.objects.count() == 0


def test_a_service_refusal_of_the_stages_shows_above_the_stages_and_nothing_is_written(world):
    client = world.client_for("city_admin")
    # The township's deadline before the village's: only the service knows the order.
    response = client.post(NEW, campaign_data(world, **{"stages-1-deadline": f"{YEAR}-01-31"}))
    assert response.status_code == 400
    assert response.context["stage_errors"] == ["Each stage's deadline must come after the one below it."]
    assert "Each stage&#x27;s deadline must come after" in text(response)
    # The example rubric copied for it is undone with the campaign.
    assert Campaign.objects.count() == 0
    assert Rubric.objects.count() == 0


def test_a_county_cannot_make_a_campaign_for_the_city(world):
    client = world.client_for("yanling_admin")
    page = client.get(NEW)
    offered = re.findall(r'<option value="(\d+)"', text(page))
    assert str(world.org("city").pk) not in offered
    assert str(world.org("yanling").pk) in offered
    response = client.post(NEW, campaign_data(world, "city"))
    assert response.status_code == 400
    assert response.context["form"].errors["org"]
    assert Campaign.objects.count() == 0
    # Its own county it may.
    assert client.post(NEW, campaign_data(world, "yanling")).status_code == 302


def test_a_village_group_cannot_run_a_campaign(world):
    response = world.client_for("city_admin").post(NEW, campaign_data(world, "huilong_group1"))
    assert response.status_code == 400
    assert response.context["form"].errors["org"]


# --- changing, the page, opening -------------------------------------------------------------------


def test_a_draft_campaign_changes_its_settings_and_stages(world):
    campaign = h.campaign(world, "city", open_=False)
    client = world.client_for("city_admin")
    url = reverse("campaigns:edit", args=[campaign.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["stages"].total_form_count() == 2
    data = campaign_data(world, name="最美庭院（修订）", rubric=f"r{campaign.rubric_id}")
    data.pop("org")
    assert client.post(url, data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "最美庭院（修订）"
    assert campaign.vote_weight == 30
    assert campaign.stages.get(level="township").raters == 5


def test_a_campaign_under_way_keeps_its_rubric_and_levels(world):
    campaign = h.campaign(world, "city")
    client = world.client_for("city_admin")
    url = reverse("campaigns:edit", args=[campaign.pk])
    page = client.get(url)
    assert page.context["form"].fields["rubric"].disabled
    assert page.context["levels_fixed"]
    data = campaign_data(world, name="改名", vote_weight="10", **{"stages-1-level": "county"})
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["stage_errors"] == ["The levels of a campaign under way cannot change."]
    campaign.refresh_from_db()
    assert (campaign.name, campaign.vote_weight) == ("最美庭院", 0)


def test_the_page_shows_settings_rubric_and_each_stage_with_its_counts(world):
    sheet = make_sheet(world)  # a 炎陵县 campaign: one household, one rater, one sheet
    campaign = sheet.stage.campaign
    client = world.client_for("yanling_admin")
    url = reverse("campaigns:detail", args=[campaign.pk])
    response = client.get(url)
    body = text(response)
    assert response.status_code == 200
    village, township = response.context["stages"]
    assert (village.entry_count, village.assigned_count, village.sheet_count) == (1, 1, 1)
    assert (township.entry_count, township.assigned_count, township.sheet_count) == (0, 0, 0)
    assert "居室美" in body
    assert "一票否决" in body
    assert "Total: 100.0 points" in body  # the shipped example's points, the veto item aside
    assert "data-campaign-links" in body
    assert reverse("campaigns:edit", args=[campaign.pk]) in body
    assert reverse("campaigns:open", args=[campaign.pk]) not in body  # already open


def test_the_page_counts_in_a_constant_number_of_queries(world):
    sheet = make_sheet(world)
    campaign = sheet.stage.campaign
    client = world.client_for("yanling_admin")
    url = reverse("campaigns:detail", args=[campaign.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(4):
        entry = h.enter(world, campaign, "shucai", f"钟{n}号")
        who = h.rater(world, "shucai", f"李{n}")
        h.assign(world, entry.stage, entry, who)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.context["stages"][0].entry_count == 5
    assert len(many.captured_queries) == len(few.captured_queries)


def test_staff_open_a_draft_campaign_after_confirming(world):
    campaign = h.campaign(world, "city", open_=False)
    client = world.client_for("city_admin")
    url = reverse("campaigns:detail", args=[campaign.pk])
    body = text(client.get(url))
    assert reverse("campaigns:open", args=[campaign.pk]) in body
    assert "data-confirm=" in body
    response = client.post(reverse("campaigns:open", args=[campaign.pk]))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    assert campaign.stages.get(order=0).status == StageStatus.SCORING
    again = client.post(reverse("campaigns:open", args=[campaign.pk]), follow=True)
    assert "already under way" in text(again)


def test_a_county_sees_the_city_campaign_but_may_not_change_or_open_it(world):
    campaign = h.campaign(world, "city", open_=False)
    client = world.client_for("yanling_admin")
    body = text(client.get(reverse("campaigns:detail", args=[campaign.pk])))
    assert reverse("campaigns:edit", args=[campaign.pk]) not in body
    assert client.get(reverse("campaigns:edit", args=[campaign.pk])).status_code == 403
    assert client.post(reverse("campaigns:open", args=[campaign.pk])).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_the_menu_has_campaigns_for_business_roles_only(world):
    link = f'href="{LIST}"'
    assert link in text(world.client_for("huilong_zhiwei").get(reverse("home")))
    assert link not in text(world.client_for("security").get(reverse("home")))


# --- rubrics -------------------------------------------------------------------------------------


def test_the_rubric_list_shows_the_visible_rubrics_and_offers_the_examples(world):
    mine = h.rubric(world, "xinshi")
    other = h.rubric(world, "yanling")
    body = text(world.client_for("xinshi_staff").get(RUBRICS))
    assert f'href="{reverse("campaigns:rubric_detail", args=[mine.pk])}"' in body
    assert f'href="{reverse("campaigns:rubric_detail", args=[other.pk])}"' not in body
    assert f"{NEW_RUBRIC}?start=courtyard_2021" in body


def test_the_rubric_list_runs_the_same_queries_for_few_or_many(world):
    client = world.client_for("xinshi_staff")
    h.rubric(world, "xinshi")
    client.get(RUBRICS)
    with CaptureQueriesContext(connection) as few:
        client.get(RUBRICS)
    for n in range(5):
        h.rubric(world, "city" if n % 2 else "huilong", "courtyard_2021")
    with CaptureQueriesContext(connection) as many:
        response = client.get(RUBRICS)
    assert len(response.context["page"].items) == 6
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_rubric_is_copied_from_an_example_and_opens_in_the_editor(world):
    client = world.client_for("xinshi_staff")
    page = client.get(NEW_RUBRIC, {"start": "courtyard_2021"})
    assert page.context["form"]["start"].value() == "courtyard_2021"
    data = {"org": world.org("xinshi").code, "org_text": "", "start": "courtyard_2021", "name": "", "kind": "courtyard"}
    response = client.post(NEW_RUBRIC, data)
    rubric = Rubric.objects.get()
    assert response["Location"] == reverse("campaigns:rubric_edit", args=[rubric.pk])
    assert (rubric.org, rubric.name) == (world.org("xinshi"), "最美庭院评分表（2021株洲版）")
    assert rubric.items.count() > 5


def test_a_blank_rubric_needs_a_name(world):
    client = world.client_for("xinshi_staff")
    data = {"org": world.org("xinshi").code, "org_text": "", "start": "blank", "name": "", "kind": "family"}
    response = client.post(NEW_RUBRIC, data)
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert client.post(NEW_RUBRIC, {**data, "name": "最美家庭评分表"}).status_code == 302
    assert Rubric.objects.get().kind == CampaignKind.FAMILY


def editor_data(rubric: Rubric) -> dict[str, str]:
    """The editor as the page draws it, each item's fields named by section and item number."""
    data = {"name": rubric.name}
    for s, section in enumerate(setup.rubric_sections(rubric)):
        data[f"section-{s}-name"] = section["name"]
        for i, item in enumerate(section["items"]):
            prefix = f"item-{s}-{i}-"
            data[prefix + "name"] = item["name"]
            data[prefix + "kind"] = item["kind"]
            data[prefix + "max_points"] = str(item["max_points"])
            data[prefix + "per_fault"] = "" if item["per_fault"] is None else str(item["per_fault"])
            data[prefix + "guidance"] = item["guidance"]
            if item["allow_na"]:
                data[prefix + "allow_na"] = "1"
    return data


def test_the_editor_sends_the_whole_structure_and_blank_rows_are_left_out(world):
    rubric = h.rubric(world, "xinshi")
    client = world.client_for("xinshi_staff")
    url = reverse("campaigns:rubric_edit", args=[rubric.pk])
    body = text(client.get(url))
    assert 'name="item-0-0-name"' in body
    assert "data-item-template" in body
    data = editor_data(rubric)
    data["name"] = "评分表（本镇）"
    data["item-0-0-max_points"] = "12"
    data["item-0-9-name"] = "门窗干净"  # a row added under the first section
    data["item-0-9-kind"] = ItemKind.DEDUCTION
    data["item-0-9-max_points"] = "5"
    data["item-0-9-per_fault"] = "1"
    data["item-0-10-name"] = ""  # the spare blank row
    data["item-0-10-kind"] = ItemKind.POINTS
    data["section-99-name"] = ""  # the spare blank section
    assert client.post(url, data).status_code == 302
    rubric.refresh_from_db()
    first = rubric.sections.get(order=0)
    names = [(i.name, i.kind, i.max_points) for i in first.items.all()]
    assert rubric.name == "评分表（本镇）"
    assert names[0][2] == Decimal(12)
    assert names[-1] == ("门窗干净", ItemKind.DEDUCTION, Decimal(5))
    assert rubric.sections.count() == len(setup.rubric_sections(h.rubric(world, "xinshi")))


def test_an_editor_refusal_is_shown_and_the_rows_typed_are_kept(world):
    rubric = h.rubric(world, "xinshi")
    before = list(rubric.items.values_list("name", flat=True))
    client = world.client_for("xinshi_staff")
    url = reverse("campaigns:rubric_edit", args=[rubric.pk])
    data = editor_data(rubric)
    data["item-1-5-name"] = "新加的扣分项"
    data["item-1-5-kind"] = ItemKind.DEDUCTION
    data["item-1-5-max_points"] = "5"  # no deduction per fault
    response = client.post(url, data)
    body = text(response)
    assert response.status_code == 400
    assert "Section 2, item 3: give a number." in body
    assert 'value="新加的扣分项"' in body
    assert list(rubric.items.values_list("name", flat=True)) == before


def test_a_frozen_rubric_is_read_only_and_makes_a_new_version(world):
    campaign = make_sheet(world).stage.campaign  # scoring has started: its rubric is frozen
    rubric = Rubric.objects.get(pk=campaign.rubric_id)
    assert rubric.is_frozen
    client = world.client_for("yanling_admin")
    response = client.get(reverse("campaigns:rubric_edit", args=[rubric.pk]))
    body = text(response)
    assert 'data-testid="rubric-frozen"' in body
    assert 'name="item-0-0-name"' not in body
    version_url = reverse("campaigns:rubric_new_version", args=[rubric.pk])
    assert version_url in body
    response = client.post(version_url)
    copy = Rubric.objects.get(previous=rubric)
    assert response["Location"] == reverse("campaigns:rubric_edit", args=[copy.pk])
    assert (copy.version, copy.is_frozen, copy.items.count()) == (2, False, rubric.items.count())


def test_the_rubric_page_shows_sections_items_and_total(world):
    rubric = h.rubric(world, "xinshi", "courtyard_2021")
    total = sum(i.max_points for i in rubric.items.all() if i.kind != ItemKind.VETO)
    body = text(world.client_for("huilong_zhiwei").get(reverse("campaigns:rubric_detail", args=[rubric.pk])))
    assert f"Total: {total} points" in body
    assert reverse("campaigns:rubric_edit", args=[rubric.pk]) not in body  # a member may not change it


# --- the household's record ----------------------------------------------------------------------


def test_the_household_page_lists_its_awards_revoked_ones_struck_through(world):
    award = make_award(world)
    client = world.client_for("yanling_admin")
    url = reverse("households:detail", args=[award.household_id])
    body = text(client.get(url))
    assert award.certificate_no in body
    assert f"<strong>{award.title}</strong>" in body
    awards.award_revoke(actor=world.user("city_admin"), award=award, reason="弄虚作假")
    body = text(client.get(url))
    assert f"<del>{award.title}</del>" in body
    assert "弄虚作假" in body


def test_the_list_answers_htmx_with_its_results_only(world):
    h.campaign(world, "city")
    response = world.client_for("city_admin").get(LIST, {"search": "最美"}, HTTP_HX_REQUEST="true")
    body = text(response)
    assert "最美庭院" in body
    assert "<html" not in body


def test_use_for_a_new_campaign_chooses_the_rubric_in_the_form(world):
    rubric = h.rubric(world, "city")
    client = world.client_for("city_admin")
    assert f"{NEW}?rubric=r{rubric.pk}" in text(client.get(reverse("campaigns:rubric_detail", args=[rubric.pk])))
    assert client.get(NEW, {"rubric": f"r{rubric.pk}"}).context["form"]["rubric"].value() == f"r{rubric.pk}"
