"""Organisation pages: the tree, its htmx fragments, search, one organisation, adding a group."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant
from fulian.orgs.models import Organisation
from fulian.orgs.services import group_create_as_system
from fulian.testing.factories import RoleGrantFactory
from fulian.testing.world import World

HX = {"HX-Request": "true"}


def client(world: World, username: str) -> Client:
    c: Client = world.client_for(username)
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def detail_url(org: Organisation) -> str:
    return reverse("orgs:detail", kwargs={"pk": org.pk})


def link(org: Organisation) -> str:
    return f'href="{detail_url(org)}"'


def field_errors(page: str, field: str) -> list[str]:
    """The errors shown in the block of one form field (after its input, before the next field)."""
    match = re.search(rf'<label class="form-label" for="id_{field}">(.*?)(?=<label|</form>)', page, re.S)
    assert match, f"no field {field} on the page"
    return re.findall(r'class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', match.group(1), re.S)


def add_groups(village: Organisation, n: int) -> None:
    for i in range(n):
        group_create_as_system(village=village, name=f"加组{i:02d}")


def count_queries(
    c: Client, url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
) -> int:
    c.get(url, data, headers=headers)  # warm up the session
    with CaptureQueriesContext(connection) as ctx:
        response = c.get(url, data, headers=headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- the tree --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "root", "hidden"),
    [
        ("city_admin", "city", "youxian"),
        ("xinshi_staff", "xinshi", "city"),
        ("huilong_zhiwei", "huilong", "xinshi"),
        ("yanling_staff", "xiayang", "yanling"),
    ],
)
def test_the_tree_starts_at_the_users_own_organisation(world: World, username: str, root: str, hidden: str) -> None:
    response = client(world, username).get(reverse("orgs:list"))
    assert response.status_code == 200
    page = text(response)
    assert 'data-testid="org-tree"' in page
    assert link(world.org(root)) in page
    assert link(world.org(hidden)) not in page


def test_a_root_with_children_can_be_expanded_in_place(world: World) -> None:
    page = text(client(world, "xinshi_staff").get(reverse("orgs:list")))
    assert f'hx-get="{reverse("orgs:children", kwargs={"pk": world.org("xinshi").pk})}"' in page


def test_someone_with_roles_in_two_places_sees_both_trees(world: World) -> None:
    RoleGrant.objects.create(user=world.user("xinshi_staff"), org=world.org("longhu"), role=Role.STAFF)
    page = text(client(world, "xinshi_staff").get(reverse("orgs:list")))
    assert link(world.org("xinshi")) in page
    assert link(world.org("longhu")) in page


def test_a_grant_inside_another_adds_no_second_root(world: World) -> None:
    RoleGrant.objects.create(user=world.user("xinshi_staff"), org=world.org("huilong"), role=Role.MEMBER)
    page = text(client(world, "xinshi_staff").get(reverse("orgs:list")))
    assert link(world.org("huilong")) not in page


def test_someone_without_a_role_sees_an_empty_tree(world: World) -> None:
    response = client(world, "nobody").get(reverse("orgs:list"))
    assert response.status_code == 200
    assert 'href="/orgs/' not in text(response)


def test_the_children_fragment_lists_the_children_for_htmx(world: World) -> None:
    url = reverse("orgs:children", kwargs={"pk": world.org("xinshi").pk})
    response = client(world, "xinshi_staff").get(url, headers=HX)
    assert response.status_code == 200
    page = text(response)
    assert "<html" not in page
    assert link(world.org("huilong")) in page
    assert link(world.org("daqiaotou")) in page
    assert link(world.org("xinshi")) not in page
    # 回龙村 has a group below it and can be opened further; 大桥头村 has none
    assert f'hx-get="{reverse("orgs:children", kwargs={"pk": world.org("huilong").pk})}"' in page
    assert f'hx-get="{reverse("orgs:children", kwargs={"pk": world.org("daqiaotou").pk})}"' not in page


def test_the_children_of_a_village_are_its_groups(world: World) -> None:
    url = reverse("orgs:children", kwargs={"pk": world.org("huilong").pk})
    page = text(client(world, "huilong_zhiwei").get(url, headers=HX))
    assert "第一村民小组" in page


# --- the home page ---------------------------------------------------------------------


def test_the_home_page_has_a_card_per_role_with_counts_below(world: World) -> None:
    page = text(client(world, "youxian_admin").get(reverse("home")))
    assert page.count('data-testid="home-card"') == 1
    assert "攸县 Women's Federation" in page
    assert "Administrator" in page
    assert [
        (n, label.strip()) for n, label in re.findall(r'fl-count mb-0">\s*(\d+)\s*</dd>\s*<dt[^>]*>([^<]+)<', page)
    ] == [
        ("2", "Township"),
        ("3", "Village"),
        ("1", "Village group"),
    ]


def test_someone_with_two_roles_gets_two_cards(world: World) -> None:
    RoleGrant.objects.create(user=world.user("xinshi_staff"), org=world.org("longhu"), role=Role.VIEWER)
    page = text(client(world, "xinshi_staff").get(reverse("home")))
    assert page.count('data-testid="home-card"') == 2
    assert link(world.org("longhu")) in page


@pytest.mark.parametrize(("username", "target"), [("security", "accounts:list"), ("auditor", "audit:list")])
def test_system_officers_are_sent_to_their_own_work(world: World, username: str, target: str) -> None:
    page = text(client(world, username).get(reverse("home")))
    assert f'href="{reverse(target)}"' in page


def test_someone_without_a_role_is_told_to_ask_for_one(world: World) -> None:
    page = text(client(world, "nobody").get(reverse("home")))
    assert 'data-testid="home-card"' not in page
    assert "Your account has no role yet." in page


# --- search on the list page -----------------------------------------------------------


def test_searching_shows_matches_with_their_parent_and_code(world: World) -> None:
    page = text(client(world, "city_admin").get(reverse("orgs:list"), {"q": "hlc"}))
    assert 'data-testid="search-results"' in page
    assert link(world.org("huilong")) in page
    assert "新市镇 · 430223123215" in page
    assert 'value="hlc"' in page  # the search is kept in the box


def test_search_as_you_type_returns_only_the_results(world: World) -> None:
    response = client(world, "city_admin").get(reverse("orgs:list"), {"q": "回龙"}, headers=HX)
    page = text(response)
    assert "<html" not in page
    assert link(world.org("huilong")) in page


def test_searching_outside_ones_area_finds_nothing(world: World) -> None:
    page = text(client(world, "xinshi_staff").get(reverse("orgs:list"), {"q": "蔬菜"}))
    assert "No organisation in your area matches." in page
    assert link(world.org("shucai")) not in page


def test_the_level_filter_keeps_only_that_level(world: World) -> None:
    page = text(client(world, "xinshi_staff").get(reverse("orgs:list"), {"level": "village"}))
    assert link(world.org("huilong")) in page
    assert link(world.org("daqiaotou")) in page
    assert link(world.org("xinshi")) not in page
    assert link(world.org("huilong_group1")) not in page


def test_an_unknown_level_shows_the_tree_with_the_error_beside_the_filter(world: World) -> None:
    response = client(world, "xinshi_staff").get(reverse("orgs:list"), {"level": "planet"})
    assert response.status_code == 200
    assert 'data-testid="org-tree"' in text(response)
    assert "Select a valid choice. planet is not one of the available choices." in text(response)


def test_search_is_the_parameter_and_q_its_old_alias(world: World) -> None:
    for params in ({"search": "hlc"}, {"q": "hlc"}, {"search": "hlc", "q": "蔬菜"}):
        page = text(client(world, "xinshi_staff").get(reverse("orgs:list"), params))
        assert link(world.org("huilong")) in page, params
        assert 'name="search"' in page
        assert 'value="hlc"' in page


def test_results_are_paged(world: World) -> None:
    add_groups(world.org("huilong"), 55)
    c = client(world, "xinshi_staff")
    first = text(c.get(reverse("orgs:list"), {"q": "加组"}))
    assert first.count('class="fw-semibold"') == 50
    assert "page=2" in first
    second = text(c.get(reverse("orgs:list"), {"q": "加组", "page": "2"}))
    assert second.count('class="fw-semibold"') == 5


# --- one organisation ------------------------------------------------------------------


def test_the_detail_page_shows_the_parent_chain_linking_only_what_the_user_may_open(world: World) -> None:
    page = text(client(world, "xinshi_staff").get(detail_url(world.org("huilong"))))
    crumbs = re.search(r'<ol class="breadcrumb.*?</ol>', page, re.S)
    assert crumbs
    trail = crumbs.group(0)
    assert [name for name in ("株洲市", "攸县", "新市镇", "回龙村") if name in trail] == [
        "株洲市",
        "攸县",
        "新市镇",
        "回龙村",
    ]
    assert trail.index("株洲市") < trail.index("攸县") < trail.index("新市镇") < trail.index("回龙村")
    assert link(world.org("xinshi")) in trail
    assert link(world.org("city")) not in trail
    assert link(world.org("youxian")) not in trail


def test_the_whole_chain_is_linked_for_the_city(world: World) -> None:
    page = text(client(world, "city_admin").get(detail_url(world.org("huilong"))))
    for key in ("city", "youxian", "xinshi"):
        assert link(world.org(key)) in page


def test_the_detail_page_counts_what_lies_below(world: World) -> None:
    page = text(client(world, "youxian_admin").get(detail_url(world.org("youxian"))))
    counts = re.search(r'data-testid="counts">(.*?)</section>', page, re.S)
    assert counts
    found = [
        (n, label.strip())
        for n, label in re.findall(
            r'fl-count">\s*(\d+)\s*</div>\s*<div class="small fl-muted">([^<]+)<', counts.group(1)
        )
    ]
    assert found == [("2", "Township"), ("3", "Village"), ("1", "Village group")]


def test_the_detail_page_lists_the_children(world: World) -> None:
    page = text(client(world, "xinshi_staff").get(detail_url(world.org("xinshi"))))
    assert "Organisations below" in page
    assert link(world.org("huilong")) in page
    assert "430223123202" in page


def test_the_official_name_is_shown_when_it_differs(world: World) -> None:
    page = text(client(world, "yanling_staff").get(detail_url(world.org("shucai"))))
    assert "蔬菜村 Women's Federation" in page
    assert "official name 蔬菜村委会" in page


def test_staff_see_the_add_group_form_on_a_village(world: World) -> None:
    page = text(client(world, "xinshi_staff").get(detail_url(world.org("huilong"))))
    assert f'action="{reverse("orgs:group_create", kwargs={"pk": world.org("huilong").pk})}"' in page


@pytest.mark.parametrize("username", ["huilong_zhiwei", "leader"])
def test_members_and_viewers_do_not_see_the_add_group_form(world: World, username: str) -> None:
    page = text(client(world, username).get(detail_url(world.org("huilong"))))
    assert 'id="add-group"' not in page


def test_there_is_no_add_group_form_on_a_township(world: World) -> None:
    page = text(client(world, "xinshi_staff").get(detail_url(world.org("xinshi"))))
    assert 'id="add-group"' not in page


# --- adding a village group ------------------------------------------------------------


def group_url(world: World, key: str) -> str:
    return reverse("orgs:group_create", kwargs={"pk": world.org(key).pk})


def test_staff_add_a_group_and_see_it_on_the_village_page(world: World) -> None:
    c = client(world, "xinshi_staff")
    response = c.post(group_url(world, "huilong"), {"name": " 第二村民小组 "})
    assert response.status_code == 302
    assert response["Location"] == detail_url(world.org("huilong"))
    group = Organisation.objects.get(code="430223123215002")
    assert (group.name, group.parent) == ("第二村民小组", world.org("huilong"))

    page = text(c.get(response["Location"]))
    assert "Added 第二村民小组." in page
    assert link(group) in page


def _refused(world: World, username: str, key: str, name: str) -> tuple[Any, str]:
    count = Organisation.objects.count()
    response = client(world, username).post(group_url(world, key), {"name": name})
    assert Organisation.objects.count() == count
    return response, text(response)


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_group_name_is_refused_next_to_the_field(world: World, name: str) -> None:
    response, page = _refused(world, "xinshi_staff", "huilong", name)
    assert response.status_code == 400
    assert field_errors(page, "name") == ["This field is required."]


def test_a_duplicate_group_name_is_refused_next_to_the_field_keeping_the_value(world: World) -> None:
    response, page = _refused(world, "xinshi_staff", "huilong", "第一村民小组")
    assert response.status_code == 400
    assert field_errors(page, "name") == ["This village already has a group called 第一村民小组."]
    assert 'value="第一村民小组"' in page


def test_a_group_under_a_township_is_refused_next_to_the_field(world: World) -> None:
    response, page = _refused(world, "xinshi_staff", "xinshi", "第一村民小组")
    assert response.status_code == 400
    assert field_errors(page, "name") == ["Groups can only be added under a village or community."]


def test_a_group_name_longer_than_100_characters_is_refused(world: World) -> None:
    response, page = _refused(world, "xinshi_staff", "huilong", "组" * 101)
    assert response.status_code == 400
    assert field_errors(page, "name") == ["Ensure this value has at most 100 characters (it has 101)."]


@pytest.mark.parametrize("username", ["huilong_zhiwei", "leader", "auditor"])
def test_members_and_viewers_may_not_add_a_group(world: World, username: str) -> None:
    response, _page = _refused(world, username, "huilong", "第二村民小组")
    assert response.status_code == 403


def test_adding_a_group_needs_a_post(world: World) -> None:
    assert client(world, "xinshi_staff").get(group_url(world, "huilong")).status_code == 405


@pytest.mark.parametrize("name", ["orgs:list", "orgs:detail", "orgs:children"])
def test_an_anonymous_visitor_is_sent_to_log_in(world: World, name: str) -> None:
    url = reverse(name) if name == "orgs:list" else reverse(name, kwargs={"pk": world.org("huilong").pk})
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]


def test_an_anonymous_post_adds_nothing_and_is_sent_to_log_in(world: World) -> None:
    count = Organisation.objects.count()
    response = Client().post(group_url(world, "huilong"), {"name": "第二村民小组"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert Organisation.objects.count() == count


# --- queries ---------------------------------------------------------------------------


def test_the_tree_page_runs_a_fixed_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    c = client(world, "huilong_zhiwei")
    url = reverse("orgs:list")
    before = count_queries(c, url)
    assert before <= 7  # session (read and save: 4), user, grants, roots
    add_groups(world.org("huilong"), 20)
    with django_assert_num_queries(before):
        c.get(url)


def test_the_tree_page_runs_as_many_queries_for_many_roots_as_for_one(
    world: World, django_assert_num_queries: Any
) -> None:
    user = world.user("huilong_zhiwei")
    c = client(world, "huilong_zhiwei")
    before = count_queries(c, reverse("orgs:list"))
    for key in ("daqiaotou", "longhu", "shucai", "dongqu"):
        RoleGrantFactory(user=user, org=world.org(key))
    c.get(reverse("orgs:list"))  # the changed grants are read once, then reused
    with django_assert_num_queries(before):
        page = text(c.get(reverse("orgs:list")))
    assert link(world.org("dongqu")) in page


def test_the_children_fragment_runs_a_fixed_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    c = client(world, "xinshi_staff")
    url = reverse("orgs:children", kwargs={"pk": world.org("huilong").pk})
    before = count_queries(c, url, headers=HX)
    add_groups(world.org("huilong"), 20)
    with django_assert_num_queries(before):
        page = text(c.get(url, headers=HX))
    assert "加组19" in page


def test_the_search_results_page_runs_a_fixed_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    c = client(world, "xinshi_staff")
    url = reverse("orgs:list")
    before = count_queries(c, url, {"q": "村民小组"})
    assert before <= 7  # session (4), user, grants, one page of results with their parents
    for i in range(20):
        group_create_as_system(village=world.org("daqiaotou" if i % 2 else "huilong"), name=f"第{i + 10}村民小组")
    with django_assert_num_queries(before):
        page = text(c.get(url, {"q": "村民小组"}))
    assert page.count('class="fw-semibold"') == 21


def test_the_detail_page_runs_a_fixed_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    c = client(world, "xinshi_staff")
    url = detail_url(world.org("huilong"))
    before = count_queries(c, url)
    assert before <= 11  # session (4), user, grants, the org, its chain (2), counts, children
    add_groups(world.org("huilong"), 20)
    with django_assert_num_queries(before):
        page = text(c.get(url))
    assert page.count("加组") == 20


def test_staff_rename_a_village_group_on_its_page(world: World) -> None:
    group = world.org("huilong_group1")
    client = world.client_for("xinshi_staff")
    page = client.get(reverse("orgs:detail", kwargs={"pk": group.pk})).content.decode()
    assert 'value="第一村民小组"' in page
    response = client.post(reverse("orgs:group_rename", kwargs={"pk": group.pk}), {"name": "一组"})
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.display_name, group.name_initials.split()[0]) == ("一组", "一组", "yz")


def test_renaming_a_village_itself_is_refused_with_a_message(world: World) -> None:
    village = world.org("huilong")
    response = client(world, "xinshi_staff").post(
        reverse("orgs:group_rename", kwargs={"pk": village.pk}), {"name": "新名"}
    )
    assert response.status_code == 400
    assert field_errors(text(response), "name") == [
        "Only village groups can be renamed here; division names come from the official codes."
    ]
    village.refresh_from_db()
    assert village.name == "回龙村"


def test_a_member_cannot_rename_a_group(world: World) -> None:
    group = world.org("huilong_group1")
    response = world.client_for("huilong_zhiwei").post(
        reverse("orgs:group_rename", kwargs={"pk": group.pk}), {"name": "一组"}
    )
    assert response.status_code == 403
    group.refresh_from_db()
    assert group.name == "第一村民小组"


def test_the_api_renames_a_group(world: World) -> None:
    group = world.org("huilong_group1")
    response = world.api_for("xinshi_staff").post(f"/api/v1/orgs/{group.pk}/rename/", {"name": "一组"})
    assert response.status_code == 200
    assert response.json()["display_name"] == "一组"
