"""The organisation picker: its suggestions (scoped, labelled with the parent, best first), what a
typed value resolves to, and every form and list filter that uses it, without JavaScript."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant, User
from fulian.households.models import Household
from fulian.orgs import picking
from fulian.orgs.models import Organisation
from fulian.orgs.services import group_create_as_system
from fulian.testing import html
from fulian.testing.world import World

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def suggestions(world: World, username: str, q: str, action: str = "households.change") -> list[tuple[str, str]]:
    """(label, level) of what the picker offers ``username`` for ``q``."""
    response = world.client_for(username).get(reverse("orgs:pick"), {"q": q, "action": action}, **EN)
    assert response.status_code == 200
    return [
        (o.select_one(".fl-picker-name").text, o.select_one(".fl-level").text)
        for o in html.select(response, "li[role=option]")
    ]


def rows(world: World, username: str, action: str = "households.change") -> Any:
    return Organisation.objects.visible_to(world.user(username), action)


@pytest.fixture
def two_first_groups(world: World) -> None:
    """Two villages of 新市镇 with a 第一村民小组 each (回龙村 already has one)."""
    group_create_as_system(village=world.org("daqiaotou"), name="第一村民小组")


# --- suggestions -------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["hlc", "huilong", "回龙", "430223123215"])
def test_initials_pinyin_name_or_code_suggest_the_village_with_its_township(world: World, q: str) -> None:
    assert ("新市镇 › 回龙村", "Village") in suggestions(world, "xinshi_staff", q)


def test_a_user_of_another_subtree_is_suggested_nothing_of_it(world: World) -> None:
    assert suggestions(world, "yanling_staff", "hlc") == []
    assert suggestions(world, "yanling_staff", "430223123215") == []
    assert suggestions(world, "yanling_staff", str(world.org("huilong").pk)) == []
    assert suggestions(world, "xinshi_staff", "蔬菜") == []


def test_the_parent_above_the_users_own_area_is_not_shown(world: World) -> None:
    # 回龙村's own 执委 sees her village, not the township above it.
    assert suggestions(world, "huilong_zhiwei", "回龙村", action="orgs.view") == [("回龙村", "Village")]


def test_exact_and_shallower_matches_come_first(world: World) -> None:
    # 新市镇 (the township) before 新市镇's villages whose pinyin merely contains "xinshi".
    found = suggestions(world, "youxian_admin", "新市镇")
    assert found[0] == ("攸县 › 新市镇", "Township")


def test_suggestions_are_limited_and_take_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = world.client_for("city_admin")
    client.get(reverse("orgs:pick"), {"q": "村", "action": "orgs.view"})  # session, grants
    with django_assert_max_num_queries(6):
        response = client.get(reverse("orgs:pick"), {"q": "村", "action": "orgs.view"})
    assert 0 < len(html.select(response, "li[role=option]")) <= picking.SUGGESTIONS


def test_an_unknown_action_is_a_bad_request(world: World) -> None:
    response = world.client_for("xinshi_staff").get(reverse("orgs:pick"), {"q": "hlc", "action": "nope"})
    assert response.status_code == 400


# --- resolving what was typed ------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["回龙村", "huilongcun", "hlc", "HLC", "新市镇 › 回龙村", "430223123215"])
def test_a_name_pinyin_initials_label_or_code_resolves_to_the_one_organisation(world: World, typed: str) -> None:
    assert picking.resolve_text(rows(world, "xinshi_staff"), typed) == world.org("huilong")


def test_an_id_resolves_and_a_code_wins_over_an_equal_id(world: World) -> None:
    huilong = world.org("huilong")
    assert picking.resolve_ref(rows(world, "xinshi_staff"), huilong.pk) == huilong
    assert picking.resolve_ref(rows(world, "xinshi_staff"), str(huilong.pk)) == huilong
    assert picking.resolve_ref(rows(world, "city_admin", "orgs.view"), "430200") == world.org("city")


def test_an_ambiguous_name_offers_the_candidates(world: World, two_first_groups: None) -> None:
    with pytest.raises(picking.OrganisationAmbiguous) as caught:
        picking.resolve_text(rows(world, "xinshi_staff"), "第一村民小组")
    assert {picking.label(o) for o in caught.value.candidates} == {"回龙村 › 第一村民小组", "大桥头村 › 第一村民小组"}
    # The label says which.
    found = picking.resolve_text(rows(world, "xinshi_staff"), "大桥头村 › 第一村民小组")
    assert found.parent == world.org("daqiaotou")


def test_a_partial_name_is_offered_never_taken(world: World) -> None:
    with pytest.raises(picking.OrganisationAmbiguous) as caught:
        picking.resolve_text(rows(world, "xinshi_staff"), "回龙")
    assert [o.display_name for o in caught.value.candidates] == ["回龙村"]


@pytest.mark.parametrize("username", ["xinshi_staff", "yanling_staff"])
def test_outside_the_area_is_the_same_as_nowhere(world: World, username: str) -> None:
    messages = {}
    for typed in ["蔬菜村", "不存在村"]:
        with pytest.raises(ValidationError) as caught:
            picking.resolve_text(rows(world, "xinshi_staff"), typed)
        messages[typed] = caught.value.messages
    assert messages == {
        "蔬菜村": ["No organisation called “蔬菜村” in your area."],
        "不存在村": ["No organisation called “不存在村” in your area."],
    }


@pytest.mark.parametrize("typed", ["abc", "1.5", "-3", "\x00", "9" * 25])
def test_what_is_no_id_or_code_is_refused_without_a_database_error(world: World, typed: str) -> None:
    with pytest.raises(ValidationError):
        picking.resolve_ref(rows(world, "xinshi_staff"), typed)


def test_the_fallback_list_holds_the_nearest_levels(world: World) -> None:
    def names(username: str, action: str = "households.change") -> set[str]:
        return {o.display_name for o in picking.fallback_choices(world.user(username), action)}

    # A township: itself and its villages (no groups); a village: itself and its groups.
    assert {"新市镇", "回龙村", "大桥头村"} <= names("xinshi_staff")
    assert "第一村民小组" not in names("xinshi_staff")
    assert names("huilong_zhiwei", "orgs.view") == {"回龙村", "第一村民小组"}
    # The city: counties and townships, not villages.
    city = names("city_admin", "orgs.view")
    assert {"株洲市", "攸县", "新市镇"} <= city
    assert "回龙村" not in city
    assert names("yanling_staff") & {"新市镇", "回龙村"} == set()


# --- the forms, without JavaScript ------------------------------------------------------------


def household(world: World, **org: str) -> Any:
    data = {"head_name": "周建国", "members_count": "2", **org}
    return world.client_for("xinshi_staff").post(reverse("households:create"), data, **EN)


@pytest.mark.parametrize(
    "org",
    [
        {"org_text": "回龙村"},
        {"org_text": "hlc"},
        {"org": "430223123215"},
        {"org": "PK"},
        {"org": "", "org_text": "新市镇 › 回龙村"},
        {"org": "PK_OF_DAQIAOTOU", "org_text": "回龙村"},  # the text typed wins over the list
    ],
)
def test_a_household_is_registered_at_a_village_picked_or_typed(world: World, org: dict[str, str]) -> None:
    values = {
        k: v.replace("PK_OF_DAQIAOTOU", str(world.org("daqiaotou").pk)).replace("PK", str(world.org("huilong").pk))
        for k, v in org.items()
    }
    response = household(world, **values)
    assert response.status_code == 302
    assert Household.objects.get().org == world.org("huilong")


def test_an_ambiguous_name_is_explained_and_the_candidates_offered(world: World, two_first_groups: None) -> None:
    response = household(world, org_text="第一村民小组")
    assert response.status_code == 400
    assert html.field_errors(response, "org") == [
        "“第一村民小组” matches more than one organisation in your area: choose one from the list."
    ]
    offered = [o.text for o in html.select(response, 'select[name="org"] optgroup option')]
    assert sorted(offered) == ["回龙村 › 第一村民小组", "大桥头村 › 第一村民小组"]
    # The box is emptied so that a choice from the list counts when sent again.
    assert html.select_one(response, 'input[name="org_text"]').get("value") in (None, "")
    # The combobox (with JavaScript) shows the text typed again, to list its matches.
    assert html.select_one(response, "[data-org-picker]").get("data-typed") == "第一村民小组"
    assert not Household.objects.exists()


def test_a_name_that_matches_nothing_stays_in_the_box_with_its_message(world: World) -> None:
    response = household(world, org_text="蔬菜村")
    assert response.status_code == 400
    assert html.field_errors(response, "org") == ["No organisation called “蔬菜村” in your area."]
    assert html.select_one(response, 'input[name="org_text"]').get("value") == "蔬菜村"
    # The other values are kept.
    assert html.select_one(response, 'input[name="head_name"]').get("value") == "周建国"


def test_the_household_edit_form_shows_its_village_picked(world: World) -> None:
    client = world.client_for("xinshi_staff")
    household(world, org_text="回龙村")
    h = Household.objects.get()
    page = client.get(reverse("households:edit", args=[h.pk]))
    assert html.select_one(page, 'select[name="org"] option[selected]').text == "新市镇 › 回龙村"
    moved = client.post(
        reverse("households:edit", args=[h.pk]), {"org_text": "dqtc", "head_name": "周建国", "members_count": "2"}
    )
    assert moved.status_code == 302
    h.refresh_from_db()
    assert h.org == world.org("daqiaotou")


def test_an_account_is_created_at_an_organisation_typed_by_name(world: World) -> None:
    data = {
        "username": "zhou_guijiao",
        "full_name": "周桂娇",
        "password": "Qingshan-2026",
        "org_text": "回龙村",
    }
    response = world.client_for("youxian_security").post(reverse("accounts:create"), data)
    assert response.status_code == 302
    assert User.objects.get(username="zhou_guijiao").org == world.org("huilong")


def test_granting_a_role_defaults_to_the_accounts_own_organisation(world: World) -> None:
    client = world.client_for("security")
    target = world.user("nobody")  # of 回龙村
    page = client.get(reverse("accounts:detail", args=[target.pk]))
    assert html.select_one(page, 'select[name="org"] option[selected]').get("value") == str(target.org_id)
    response = client.post(
        reverse("accounts:detail", args=[target.pk]), {"role": Role.MEMBER, "org": str(target.org_id)}
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=target)
    assert grant.org == world.org("huilong")
    # Or another, typed by its initials.
    response = client.post(reverse("accounts:detail", args=[target.pk]), {"role": Role.STAFF, "org_text": "xsz"})
    assert response.status_code == 302
    assert RoleGrant.objects.filter(user=target, org=world.org("xinshi")).exists()


def _households_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["户主姓名", "所属村组", "家庭人口"])
    sheet.append(["周建国", "回龙村", 3])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_import_defaults_to_the_uploaders_organisation_and_takes_a_name(world: World) -> None:
    client = world.client_for("xinshi_staff")
    page = client.get(reverse("imports:create", args=["households"]))
    assert html.select_one(page, 'select[name="org"] option[selected]').get("value") == str(world.org("xinshi").pk)
    upload = SimpleUploadedFile("台账.xlsx", _households_xlsx())
    response = client.post(reverse("imports:create", args=["households"]), {"org_text": "新市镇", "file": upload})
    assert response.status_code == 302, html.field_errors(response, "org")


# --- list filters ------------------------------------------------------------------------------


def test_a_list_filters_by_a_name_typed_without_javascript(world: World) -> None:
    client = world.client_for("xinshi_staff")
    household(world, org_text="回龙村")
    household(world, org_text="大桥头村")
    page = client.get(reverse("households:list"), {"org_text": "回龙村"})
    assert page.status_code == 200
    assert len(html.select(page, "#household-results tbody tr")) == 1
    page = client.get(reverse("households:list"), {"org": str(world.org("daqiaotou").pk)})
    assert len(html.select(page, "#household-results tbody tr")) == 1


def test_a_name_in_the_list_filter_that_matches_nothing_lists_nothing_and_says_why(world: World) -> None:
    client = world.client_for("xinshi_staff")
    household(world, org_text="回龙村")
    page = client.get(reverse("households:list"), {"org_text": "回龙"}, **EN)
    assert html.select(page, "#household-results tbody tr") == []
    assert html.field_errors(page, "org") == [
        "No organisation in your area is called “回龙”: choose one of the close names in the list."
    ]
    # Typing in the search box reloads the results only (htmx): the error comes with them.
    fragment = client.get(reverse("households:list"), {"org_text": "蔬菜村"}, HTTP_HX_REQUEST="true", **EN)
    assert html.alerts(fragment, "danger") == ["Organisation: No organisation called “蔬菜村” in your area."]
    assert html.select(fragment, "tbody tr") == []


def test_an_export_of_a_filter_that_matches_nothing_does_not_run(world: World) -> None:
    client = world.client_for("xinshi_staff")
    household(world, org_text="回龙村")
    response = client.get(reverse("households:export"), {"org": world.org("shucai").code})
    assert response.status_code == 302
    assert not response.has_header("Content-Disposition")


@pytest.mark.parametrize("value", ["回龙村", "蔬菜村", "430225100215", "99999999", "5%", "%(x)s%d", "100%25"])
def test_the_api_filter_refuses_a_name_and_an_organisation_outside_the_area(world: World, value: str) -> None:
    response = world.api_for("xinshi_staff").get(reverse("api:household-list"), {"org": value})
    assert response.status_code == 400
    [message] = response.json()["org"]
    assert value in message


def test_the_api_filter_does_not_read_the_pages_text_box(world: World) -> None:
    household(world, org_text="回龙村")
    response = world.api_for("xinshi_staff").get(reverse("api:household-list"), {"org_text": "大桥头村"})
    assert len(response.json()["results"]) == 1  # not filtered: org_text is no parameter of the API


def test_the_api_filter_takes_an_id_or_a_code(world: World) -> None:
    api = world.api_for("xinshi_staff")
    household(world, org_text="回龙村")
    household(world, org_text="大桥头村")
    by_id = api.get(reverse("api:household-list"), {"org": world.org("huilong").pk}).json()
    by_code = api.get(reverse("api:household-list"), {"org": world.org("huilong").code}).json()
    assert [r["id"] for r in by_id["results"]] == [r["id"] for r in by_code["results"]]
    assert len(by_id["results"]) == 1


# --- API bodies ---------------------------------------------------------------------------------


@pytest.mark.parametrize("org", ["ID", "430223123215", "ID_AS_TEXT"])
def test_an_api_body_takes_an_organisations_id_or_code(world: World, org: str) -> None:
    huilong = world.org("huilong")
    value: Any = {"ID": huilong.pk, "ID_AS_TEXT": str(huilong.pk)}.get(org, org)
    response = world.api_for("xinshi_staff").post(
        reverse("api:household-list"), {"org": value, "head_name": "周建国", "members_count": 2}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert Household.objects.get().org == huilong


@pytest.mark.parametrize("org", [True, 1.5, "回龙村", " 430223123215", [1]])
def test_an_api_body_refuses_anything_else_naming_the_field(world: World, org: Any) -> None:
    response = world.api_for("xinshi_staff").post(
        reverse("api:household-list"), {"org": org, "head_name": "周建国", "members_count": 2}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["org"]


def test_the_role_grant_api_takes_an_id(world: World) -> None:
    target = world.user("nobody")
    response = world.api_for("security").post(
        reverse("api:role-grant-list"),
        {"user": target.pk, "org_code": world.org("huilong").pk, "role": Role.MEMBER},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["org_code"] == world.org("huilong").code
