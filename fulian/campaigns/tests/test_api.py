"""The campaigns' API: each resource read by an insider as the published schema says, a sheet
submitted from a phone (photos, bad input, a retry), screening, ranking to the awards, with the
rules of the services."""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fulian.campaigns.api.urls import router
from fulian.campaigns.choices import NominationStatus, ObjectionStatus, SheetStatus, StageStatus
from fulian.campaigns.models import Award, Entry, Objection, RaterAssignment, Result, ScoreSheet, Stage
from fulian.campaigns.services import nominations
from fulian.campaigns.tests import helpers as h
from fulian.campaigns.tests.scope_cases import (
    CASES,
    make_award,
    make_campaign,
    make_entry,
    make_nomination,
    make_objection,
    make_publicity,
    make_rater_assignment,
    make_result,
    make_rubric,
    make_sheet,
)
from fulian.grid.tests.test_api import conforms
from fulian.people.tests.helpers import jpeg
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

INSIDER = "yanling_admin"
BASE = "/api/v1/campaigns/"


def _api(world: World, username: str = INSIDER) -> Any:
    """The API as ``username``, answering in English (the messages are checked in English)."""
    client = world.api_for(username)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def make_stage(world: World) -> Stage:
    return h.first_stage(make_campaign(world))


# --- every route is in the scope tests ---------------------------------------------------------


def test_every_method_of_every_campaign_api_detail_route_has_a_scope_case() -> None:
    # The core meta-test reads the main router; these routes are registered on their own.
    detail_actions = {"retrieve": "get", "update": "put", "partial_update": "patch", "destroy": "delete"}
    served: set[tuple[str, str]] = set()
    for _prefix, viewset, basename in router.registry:
        for name, method in detail_actions.items():
            if hasattr(viewset, name):
                served.add((f"api:{basename}-detail", method))
        extras: list[Any] = viewset.get_extra_actions()  # functions carrying DRF's @action attributes
        for extra in extras:
            if extra.detail:
                served |= {(f"api:{basename}-{extra.url_name}", method) for method in extra.mapping}
    covered = {(name, method) for case in CASES for name, method, _status in case.detail_checks()}
    assert served - covered == set()


# --- each resource, read by an insider ---------------------------------------------------------

RESOURCES: list[tuple[Callable[[World], Any], str | None, str]] = [
    (make_campaign, "", "{id}/"),
    (make_rubric, "rubrics/", "rubrics/{id}/"),
    (make_nomination, "nominations/", "nominations/{id}/"),
    (make_entry, "entries/", "entries/{id}/"),
    (make_result, "results/", "results/{id}/"),
    (make_rater_assignment, "raters/", "raters/{id}/"),
    (make_sheet, "sheets/", "sheets/{id}/"),
    (make_stage, None, "stages/{id}/"),
    (make_publicity, "publicities/", "publicities/{id}/"),
    (make_objection, "objections/", "objections/{id}/"),
    (make_award, "awards/", "awards/{id}/"),
]


@pytest.mark.parametrize(("make", "listed", "detail"), RESOURCES, ids=[r[2].split("/")[0] for r in RESOURCES])
def test_an_insider_lists_and_reads_each_resource_as_the_schema_says(
    world: World, make: Callable[[World], Any], listed: str | None, detail: str
) -> None:
    record = make(world)
    api = _api(world)
    if listed is not None:
        response = api.get(BASE + listed)
        assert response.status_code == 200, response.content[:300]
        assert record.pk in [row["id"] for row in conforms(response, BASE + listed)["results"]]
    response = api.get(BASE + detail.format(id=record.pk))
    assert response.status_code == 200, response.content[:300]
    assert conforms(response, BASE + detail)["id"] == record.pk
    # An outsider: not found, in the documented shape.
    outside = _api(world, "xinshi_staff").get(BASE + detail.format(id=record.pk))
    assert outside.status_code == 404
    assert conforms(outside, BASE + detail) == {"detail": "Not found."}


def test_the_rubric_shows_its_sections_and_items(world: World) -> None:
    rubric = make_rubric(world)
    body = conforms(_api(world).get(BASE + f"rubrics/{rubric.pk}/"), BASE + "rubrics/{id}/")
    assert [s["name"] for s in body["sections"]][:2] == ["居室美", "厨卫美"]
    assert sum(len(s["items"]) for s in body["sections"]) == rubric.items.count()


@pytest.mark.parametrize("listed", ["sheets/", "raters/", "results/", "entries/"])
def test_a_list_reads_a_constant_number_of_queries(world: World, listed: str) -> None:
    campaign = make_campaign(world)
    api = _api(world)
    url = BASE + listed

    def count() -> int:
        api.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert api.get(url).status_code == 200
        return len(captured)

    def sheet(n: int) -> None:
        entry = h.enter(world, campaign, "shucai", f"钟{n}")
        who = h.rater(world, "shucai", f"李{n}")
        h.score(world, h.assign(world, entry.stage, entry, who))

    sheet(1)
    few = count()
    for n in range(2, 6):
        sheet(n)
    assert count() == few


# --- score sheets from a phone -----------------------------------------------------------------


def _rater_setup(world: World) -> tuple[RaterAssignment, Any]:
    """An assignment of 钟桂兰 (a 执委 of 蔬菜村 with an account) and her API client."""
    campaign = make_campaign(world)
    entry = make_entry(world, campaign)
    who = h.rater(world, "shucai", "钟桂兰", username="zhong_guilan")
    return h.assign(world, entry.stage, entry, who), _api(world, "zhong_guilan")


def _sheet_body(assignment: RaterAssignment, /, **overrides: Any) -> dict[str, Any]:
    body = {
        "assignment": assignment.pk,
        "values": json.dumps(h.values_for(assignment.stage.campaign, Decimal("0.8"))),
        "comment": "院内整洁",
        "scored_at": "2024-05-01T10:00:00+08:00",
        "latitude": "26.4853",
        "longitude": "113.7712",
        "client_key": str(uuid.uuid4()),
    }
    body.update(overrides)
    return body


def _submit(api: Any, body: dict[str, Any]) -> Any:
    return api.post(BASE + "sheets/", body, format="multipart")


def test_a_rater_submits_her_sheet_with_two_photos(world: World) -> None:
    assignment, api = _rater_setup(world)
    item = assignment.stage.campaign.rubric.items.first()
    assert item is not None
    body = _sheet_body(
        assignment,
        photos=[SimpleUploadedFile("a.jpg", jpeg()), SimpleUploadedFile("b.jpg", jpeg(60, 40))],
        photo_items=[str(item.pk), ""],
    )
    response = _submit(api, body)
    assert response.status_code == 201, response.content[:500]
    sheet = conforms(response, BASE + "sheets/", "post")
    assert [p["item"] for p in sheet["photos"]] == [item.pk, None]
    assert (sheet["household_name"], sheet["status"], sheet["latitude"]) == ("钟桃华", "submitted", "26.485300")
    stored = ScoreSheet.objects.get()
    assert stored.photos.count() == 2
    assert stored.submitted_by == world.user("zhong_guilan")
    # Each photo is served by the scoped photo view (a page: a logged-in browser), to whoever may
    # see the sheet.
    first = world.client_for("zhong_guilan").get(sheet["photos"][0]["url"])
    assert (first.status_code, first["Content-Type"]) == (200, "image/jpeg")
    mine = api.get(BASE + "raters/", {"mine": "true"})
    assert [(r["id"], r["scored"]) for r in conforms(mine, BASE + "raters/")["results"]] == [(assignment.pk, True)]
    assert _api(world).get(BASE + "raters/", {"mine": "true"}).json()["results"] == []


def test_the_same_client_key_twice_stores_one_sheet_and_answers_200(world: World) -> None:
    assignment, api = _rater_setup(world)
    body = _sheet_body(assignment)
    first = _submit(api, body)
    assert first.status_code == 201, first.content[:300]
    again = _submit(api, body)
    assert again.status_code == 200, again.content[:300]
    assert conforms(again, BASE + "sheets/", "post")["id"] == first.json()["id"]
    assert ScoreSheet.objects.count() == 1


def test_a_second_sheet_is_refused(world: World) -> None:
    assignment, api = _rater_setup(world)
    assert _submit(api, _sheet_body(assignment)).status_code == 201
    second = _submit(api, _sheet_body(assignment))
    assert second.status_code == 400
    assert "already submitted" in conforms(second, BASE + "sheets/", "post")["detail"]
    assert ScoreSheet.objects.count() == 1


def test_a_score_above_the_maximum_is_a_400_naming_the_item(world: World) -> None:
    assignment, api = _rater_setup(world)
    values = h.values_for(assignment.stage.campaign)
    item = assignment.stage.campaign.rubric.items.filter(kind="points").first()
    assert item is not None
    values[str(item.pk)] = {"v": str(item.max_points + 1)}
    response = _submit(api, _sheet_body(assignment, values=json.dumps(values)))
    assert response.status_code == 400
    message = conforms(response, BASE + "sheets/", "post")["detail"]
    assert item.name in message
    assert "between 0 and" in message
    assert not ScoreSheet.objects.exists()


def test_a_file_that_is_not_a_photo_is_a_400_naming_it(world: World) -> None:
    assignment, api = _rater_setup(world)
    photos = [SimpleUploadedFile("a.jpg", jpeg()), SimpleUploadedFile("notes.pdf", b"%PDF-1.4 not a photo")]
    response = _submit(api, _sheet_body(assignment, photos=photos))
    assert response.status_code == 400
    errors = conforms(response, BASE + "sheets/", "post")
    assert "Photo 2 (notes.pdf)" in errors["photos"][0]
    assert not ScoreSheet.objects.exists()


def test_a_30_mb_photo_is_a_400(world: World) -> None:
    assignment, api = _rater_setup(world)
    big = SimpleUploadedFile("big.jpg", jpeg() + b"\0" * (30 * 1024 * 1024))
    response = _submit(api, _sheet_body(assignment, photos=[big]))
    assert response.status_code == 400
    errors = conforms(response, BASE + "sheets/", "post")
    assert "Photo 1 (big.jpg)" in errors["photos"][0]
    assert "MB" in errors["photos"][0]
    assert not ScoreSheet.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"values": "not json"}, "values"),
        ({"values": "[1, 2]"}, "values"),
        ({"latitude": "nan"}, "latitude"),
        ({"longitude": "181"}, "longitude"),
        ({"client_key": "abc"}, "client_key"),
        ({"assignment": "999999"}, "assignment"),
        ({"photo_items": ["1", "2"]}, "photo_items"),
    ],
)
def test_a_sheet_with_a_bad_field_is_a_400_naming_it(world: World, overrides: dict[str, Any], field: str) -> None:
    assignment, api = _rater_setup(world)
    response = _submit(api, _sheet_body(assignment, **overrides))
    assert response.status_code == 400
    assert field in conforms(response, BASE + "sheets/", "post")


def test_a_sheet_for_an_assignment_outside_the_area_names_the_assignment(world: World) -> None:
    assignment, _rater_api = _rater_setup(world)
    response = _submit(_api(world, "xinshi_staff"), _sheet_body(assignment))
    assert response.status_code == 400
    assert list(response.json()) == ["assignment"]


def test_staff_supersede_a_sheet_with_a_reason(world: World) -> None:
    sheet = make_sheet(world)
    url = BASE + f"sheets/{sheet.pk}/supersede/"
    assert _api(world).post(url, {}, format="json").json() == {"reason": ["This field is required."]}
    response = _api(world).post(url, {"reason": "评错了户"}, format="json")
    assert response.status_code == 200, response.content[:300]
    assert conforms(response, BASE + "sheets/{id}/supersede/", "post")["status"] == SheetStatus.SUPERSEDED


# --- setting up ----------------------------------------------------------------------------------


def test_staff_set_a_campaign_up_and_open_it(world: World) -> None:
    api = _api(world)
    rubric = api.post(BASE + "rubrics/", {"org": "430225", "template": "courtyard"}, format="json")
    assert rubric.status_code == 201, rubric.content[:300]
    rubric_id = conforms(rubric, BASE + "rubrics/", "post")["id"]
    year = h.YEAR
    body = {
        "org": "430225",
        "kind": "courtyard",
        "name": "最美庭院",
        "year": year,
        "rubric": rubric_id,
        "stages": [
            {"level": "village", "deadline": f"{year}-06-30", "raters": 3, "quota_count": 2},
            {"level": "township", "deadline": f"{year}-08-31", "quota_share": "20.00", "publicity_days": 5},
        ],
    }
    created = api.post(BASE, body, format="json")
    assert created.status_code == 201, created.content[:300]
    campaign = conforms(created, BASE, "post")
    assert [(s["level"], s["status"]) for s in campaign["stages"]] == [("village", "pending"), ("township", "pending")]
    changed = api.patch(BASE + f"{campaign['id']}/", {"award_title": "最美庭院示范户"}, format="json")
    assert conforms(changed, BASE + "{id}/", "patch")["award_title"] == "最美庭院示范户"
    opened = api.post(BASE + f"{campaign['id']}/open/")
    assert opened.status_code == 200
    assert conforms(opened, BASE + "{id}/open/", "post")["stages"][0]["status"] == StageStatus.SCORING
    # Under way: the stages' levels stay.
    refused = api.patch(BASE + f"{campaign['id']}/", {"stages": body["stages"][:1]}, format="json")
    assert refused.status_code == 400
    assert "stages" in conforms(refused, BASE + "{id}/", "patch")


def test_stages_out_of_order_are_a_400_on_stages(world: World) -> None:
    rubric = make_rubric(world)
    body = {
        "org": "430225",
        "kind": "courtyard",
        "name": "最美庭院",
        "year": h.YEAR,
        "rubric": rubric.pk,
        "stages": [
            {"level": "township", "deadline": f"{h.YEAR}-06-30", "quota_count": 1},
            {"level": "village", "deadline": f"{h.YEAR}-08-31", "quota_count": 1},
        ],
    }
    response = _api(world).post(BASE, body, format="json")
    assert response.status_code == 400
    assert list(conforms(response, BASE, "post")) == ["stages"]


def test_a_rubric_changes_until_frozen_then_gets_a_new_version(world: World) -> None:
    api = _api(world)
    sections = [{"name": "庭院美", "items": [{"name": "干净", "max_points": "10"}]}]
    rubric = make_rubric(world)
    changed = api.patch(BASE + f"rubrics/{rubric.pk}/", {"sections": sections}, format="json")
    assert changed.status_code == 200, changed.content[:300]
    assert [s["name"] for s in conforms(changed, BASE + "rubrics/{id}/", "patch")["sections"]] == ["庭院美"]
    frozen = make_sheet(world).rubric
    refused = api.patch(BASE + f"rubrics/{frozen.pk}/", {"sections": sections}, format="json")
    assert refused.status_code == 400
    assert "new version" in refused.json()["detail"]
    copy = api.post(BASE + f"rubrics/{frozen.pk}/new-version/")
    assert copy.status_code == 201
    assert conforms(copy, BASE + "rubrics/{id}/new-version/", "post")["version"] == frozen.version + 1


# --- nominations -------------------------------------------------------------------------------


def test_staff_nominate_a_household_and_screen_public_nominations(world: World) -> None:
    api = _api(world)
    public = make_nomination(world)
    campaign = public.campaign
    household = h.household(world, "shucai", "钟桃华")
    made = api.post(BASE + "nominations/", {"campaign": campaign.pk, "household": household.pk}, format="json")
    assert made.status_code == 201, made.content[:300]
    assert conforms(made, BASE + "nominations/", "post")["status"] == NominationStatus.ACCEPTED
    # The public nomination of the same household is a duplicate.
    merged = api.post(BASE + f"nominations/{public.pk}/merge/", {"into": made.json()["id"]}, format="json")
    assert conforms(merged, BASE + "nominations/{id}/merge/", "post")["status"] == NominationStatus.MERGED
    again = api.post(BASE + f"nominations/{public.pk}/reject/", {"reason": "重复"}, format="json")
    assert again.status_code == 400
    assert "already screened" in again.json()["detail"]
    other = nominations.nomination_public(
        campaign=campaign, village=world.org("shucai"), name="钟秀", reason="好", phone="13800138009"
    )
    rejected = api.post(BASE + f"nominations/{other.pk}/reject/", {"reason": "不在本村"}, format="json")
    assert conforms(rejected, BASE + "nominations/{id}/reject/", "post")["reject_reason"] == "不在本村"
    outside = api.post(BASE + "nominations/", {"campaign": campaign.pk, "household": 10**6}, format="json")
    assert list(outside.json()) == ["household"]


def test_a_public_nomination_is_accepted_for_a_household_of_the_registry(world: World) -> None:
    public = make_nomination(world)
    household = h.household(world, "shucai", "钟桃华")
    response = _api(world).post(BASE + f"nominations/{public.pk}/accept/", {"household": household.pk}, format="json")
    assert response.status_code == 200, response.content[:300]
    assert conforms(response, BASE + "nominations/{id}/accept/", "post")["household"] == household.pk
    assert Entry.objects.filter(household=household, campaign=public.campaign).exists()


# --- raters, ranking, 公示, objections, awards ---------------------------------------------------


def test_staff_assign_and_remove_raters(world: World) -> None:
    entry = make_entry(world)
    who = h.rater(world, "shucai", "钟桂兰")
    h.rater(world, "shucai", "李秀英")
    api = _api(world)
    made = api.post(BASE + "raters/", {"entry": entry.pk, "person": who.pk}, format="json")
    assert made.status_code == 201, made.content[:300]
    assert conforms(made, BASE + "raters/", "post")["person_name"] == "钟桂兰"
    twice = api.post(BASE + "raters/", {"entry": entry.pk, "person": who.pk}, format="json")
    assert "already rates" in twice.json()["person"][0]
    assert api.delete(BASE + f"raters/{made.json()['id']}/").status_code == 204
    stage = entry.stage
    auto = api.post(BASE + f"stages/{stage.pk}/assign-raters/", {"org": "430225"}, format="json")
    assert auto.status_code == 200, auto.content[:300]
    assert conforms(auto, BASE + "stages/{id}/assign-raters/", "post") == {"assigned": 1, "short": []}


def test_a_stage_is_ranked_adjusted_published_and_objected_to(world: World) -> None:
    objection = make_objection(world)
    api = _api(world)
    stage = objection.publicity.stage
    # During the 公示 the stage cannot be promoted.
    early = api.post(BASE + f"stages/{stage.pk}/promote/", {}, format="json")
    assert early.status_code == 400
    handled = api.post(
        BASE + f"objections/{objection.pk}/handle/", {"status": "dismissed", "outcome": "核实无误"}, format="json"
    )
    assert handled.status_code == 200, handled.content[:300]
    assert conforms(handled, BASE + "objections/{id}/handle/", "post")["status"] == ObjectionStatus.DISMISSED
    assert Objection.objects.get().outcome == "核实无误"


def test_a_reviewer_ranks_adjusts_publishes_and_promotes_through_the_api(world: World) -> None:
    campaign = h.campaign(world, "yanling", ("village",), raters=1, publicity_days=0)
    sheet = make_sheet(world, campaign)
    api = _api(world)
    stage = sheet.stage
    ranked = api.post(BASE + f"stages/{stage.pk}/rank/")
    assert conforms(ranked, BASE + "stages/{id}/rank/", "post") == {"results": 1, "ranked": 1, "proposed": 1}
    result = Result.objects.get(stage=stage)
    held = api.post(BASE + f"results/{result.pk}/adjust/", {"decision": "exclude", "reason": "待核实"}, format="json")
    assert conforms(held, BASE + "results/{id}/adjust/", "post")["proposed"] is False
    back = api.post(BASE + f"results/{result.pk}/adjust/", {"decision": "auto"}, format="json")
    assert back.json()["proposed"] is True
    published = api.post(BASE + f"stages/{stage.pk}/publish/", {"notice": "公示"}, format="json")
    assert published.status_code == 201, published.content[:300]
    assert conforms(published, BASE + "stages/{id}/publish/", "post")["stage"] == stage.pk


def test_the_top_stage_is_promoted_to_awards_and_an_award_revoked(world: World) -> None:
    campaign = h.campaign(world, "yanling", ("village",), raters=1)
    sheet = make_sheet(world, campaign)
    api = _api(world)
    api.post(BASE + f"stages/{sheet.stage_id}/rank/")
    promoted = api.post(BASE + f"stages/{sheet.stage_id}/promote/", {"issued_on": "2026-01-05"}, format="json")
    assert conforms(promoted, BASE + "stages/{id}/promote/", "post") == {"promoted": 1}
    award = Award.objects.get()
    assert award.issued_on == datetime.date(2026, 1, 5)
    twice = api.post(BASE + f"stages/{sheet.stage_id}/promote/", {}, format="json")
    assert twice.status_code == 400
    revoked = api.post(BASE + f"awards/{award.pk}/revoke/", {"reason": "弄虚作假"}, format="json")
    assert revoked.status_code == 200, revoked.content[:300]
    assert conforms(revoked, BASE + "awards/{id}/revoke/", "post")["revoke_reason"] == "弄虚作假"


def test_a_member_sees_the_city_campaign_but_cannot_screen_or_rank(world: World) -> None:
    city = h.campaign(world, "city", ("village", "township"))
    member = _api(world, "huilong_zhiwei")
    assert member.post(BASE + "nominations/", {}, format="json").status_code == 403
    stage = h.first_stage(city)
    assert conforms(member.get(BASE + f"stages/{stage.pk}/"), BASE + "stages/{id}/")["level"] == "village"
    assert member.post(BASE + f"stages/{stage.pk}/rank/").status_code == 403
    # A campaign of 炎陵县 is outside 回龙村's reach: not found.
    assert member.get(BASE + f"stages/{make_stage(world).pk}/").status_code == 404


def test_a_changed_stage_without_its_level_is_a_400_on_stages(world: World) -> None:
    # Found by fuzzing: a partial update once made each stage's own fields optional (a 500).
    campaign = make_campaign(world, open_=False)
    stages = [{"deadline": f"{h.YEAR}-06-30", "quota_count": 1}]
    response = _api(world).patch(BASE + f"{campaign.pk}/", {"stages": stages}, format="json")
    assert response.status_code == 400
    assert list(conforms(response, BASE + "{id}/", "patch")) == ["stages"]
