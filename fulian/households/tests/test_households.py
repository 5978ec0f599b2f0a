import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from fulian.audit.models import AuditEvent
from fulian.households import services
from fulian.households.choices import HouseholdCategory, MemberCategory
from fulian.households.models import Household, HouseholdMember
from fulian.households.tests.helpers import household, member
from fulian.testing import html
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def heads(response: object) -> list[str]:
    """The heads' names in the list's results (not the search box, which keeps what was typed)."""
    return html.texts(response, "#household-results td:first-child > a")


def test_a_household_lives_in_a_village_or_group_and_carries_its_ancestry(world: World) -> None:
    h = household(world, "huilong_group1")
    assert (h.village_id, h.group_id, h.township_id) == (
        world.org("huilong").pk,
        world.org("huilong_group1").pk,
        world.org("xinshi").pk,
    )
    with pytest.raises(ValidationError) as e:
        household(world, "xinshi")
    assert "org" in e.value.message_dict


def test_members_follow_their_household_when_it_moves(world: World) -> None:
    h = household(world, "huilong")
    m = member(world, h, id_number=id_number("430223", "20150601", "F"))
    assert m.birth_date == datetime.date(2015, 6, 1)
    assert m.gender == "F"
    assert m.village_id == world.org("huilong").pk
    services.household_update(actor=world.user("xinshi_staff"), household=h, values={}, org=world.org("daqiaotou"))
    m.refresh_from_db()
    assert m.village_id == world.org("daqiaotou").pk


def test_categories_filter_and_bad_values_are_refused(world: World) -> None:
    household(world, "huilong", "周建国", categories=HouseholdCategory.LEFT_BEHIND | HouseholdCategory.MILITARY)
    household(world, "huilong", "李德福", categories=HouseholdCategory.MILITARY)
    names = set(Household.objects.in_category(HouseholdCategory.LEFT_BEHIND).values_list("head_name", flat=True))
    assert names == {"周建国"}
    with pytest.raises(ValidationError) as e:
        household(world, "huilong", "王五", categories=1 << 20)
    assert e.value.message_dict == {"categories": ["Unknown category."]}
    with pytest.raises(ValidationError) as e:
        household(world, "huilong", "王五", members_count=0)
    assert e.value.message_dict == {"members_count": ["Enter a whole number of people from 1 to 99."]}
    assert not Household.objects.filter(head_name="王五").exists()


def test_duplicate_id_numbers_are_refused(world: World) -> None:
    number = id_number("430223", "19600101", "M")
    household(world, id_number=number)
    with pytest.raises(ValidationError) as e:
        household(world, "daqiaotou", "李四", id_number=number)
    assert "id_number" in e.value.message_dict


def test_only_staff_change_and_reveal(world: World) -> None:
    h = household(world, mobile="13907339999")
    with pytest.raises(PermissionDenied):
        services.household_update(actor=world.user("huilong_zhiwei"), household=h, values={"address": "x"})
    with pytest.raises(PermissionDenied):
        services.household_reveal(actor=world.user("leader"), obj=h, field="mobile")
    assert services.household_reveal(actor=world.user("xinshi_staff"), obj=h, field="mobile") == "13907339999"
    assert AuditEvent.objects.filter(action="reveal", object_id=str(h.pk)).count() == 1


@pytest.mark.parametrize("q", ["zjg", "zhoujianguo", "周", "周建国", "13907339999"])
def test_search_pages(world: World, q: str) -> None:
    household(world, "huilong", "周建国", mobile="13907339999")
    household(world, "huilong", "李德福")
    page = world.client_for("huilong_zhiwei").get(reverse("households:list"), {"q": q})
    # The search box shows what was typed (周建国 too): the names are read from the results.
    assert heads(page) == ["周建国"]


def test_the_list_runs_the_same_queries_for_5_or_60_households(world: World) -> None:
    client = world.client_for("xinshi_staff")
    for n in range(5):
        household(world, "huilong", f"周{n}")
    client.get(reverse("households:list"))
    with CaptureQueriesContext(connection) as few:
        assert heads(client.get(reverse("households:list"), {"category": HouseholdCategory.MILITARY})) == []
    for n in range(55):
        household(world, "daqiaotou" if n % 2 else "huilong_group1", f"李{n}", categories=HouseholdCategory.MILITARY)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("households:list"), {"category": HouseholdCategory.MILITARY})
    assert heads(response) == [f"李{n}" for n in range(50)]
    assert len(many) == len(few)
    # A township is counted exactly (its total is shown), on its own ancestry column: cheap.
    counted = [q["sql"] for q in many.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counted) == 1
    assert "township_id" in counted[0]
    assert html.text(response, "[data-testid=list-total]") == "共 55 户"


def test_pages_create_member_reveal_and_export(world: World) -> None:
    client = world.client_for("xinshi_staff")
    number = id_number("430223", "19600101", "M")
    response = client.post(
        reverse("households:create"),
        {
            "org": world.org("huilong").code,
            "head_name": "周建国",
            "id_number": number,
            "mobile": "13907339999",
            "members_count": "4",
            "categories": [str(HouseholdCategory.LEFT_BEHIND), str(HouseholdCategory.MILITARY)],
        },
    )
    h = Household.objects.get()
    assert response.status_code == 302
    assert h.categories == HouseholdCategory.LEFT_BEHIND | HouseholdCategory.MILITARY
    added = client.post(
        reverse("households:member_create", args=[h.pk]),
        {
            "name": "周小红",
            "relation": "child",
            "birth_date": "2016-05-01",
            "categories": [str(MemberCategory.LEFT_BEHIND_CHILD)],
        },
    )
    assert added.status_code == 302
    assert HouseholdMember.objects.get().categories == MemberCategory.LEFT_BEHIND_CHILD
    page = client.get(reverse("households:detail", args=[h.pk])).content.decode()
    assert "周小红" in page
    assert number not in page
    assert number in client.post(reverse("households:reveal", args=[h.pk]), {"field": "id_number"}).content.decode()
    sheet = load_workbook(io.BytesIO(client.get(reverse("households:export")).content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "周建国" in values
    assert number not in values


def test_api_list_create_members(world: World) -> None:
    api = world.api_for("xinshi_staff")
    created = api.post(
        reverse("api:household-list"),
        {"org": world.org("huilong").code, "head_name": "周建国", "categories": [32, 16], "mobile": "13907339999"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["categories"] == [16, 32]
    assert created.json()["mobile"] == "139****9999"
    m = api.post(
        reverse("api:household-member-list"), {"household": pk, "name": "周小红", "relation": "child"}, format="json"
    )
    assert m.status_code == 201, m.json()
    detail = api.get(reverse("api:household-detail", args=[pk])).json()
    assert [x["name"] for x in detail["members"]] == ["周小红"]
    listed = api.get(reverse("api:household-list"), {"category": 32, "q": "zjg"}).json()
    assert [r["id"] for r in listed["results"]] == [pk]
    assert "count" not in listed
    assert api.delete(reverse("api:household-member-detail", args=[m.json()["id"]])).status_code == 204
    outsider = world.api_for("yanling_admin").post(
        reverse("api:household-member-list"), {"household": pk, "name": "x", "relation": "child"}, format="json"
    )
    # A household named in the body but outside the caller's area is bad input on that field.
    assert outsider.status_code == 400
    assert list(outsider.json()) == ["household"]
    assert not HouseholdMember.objects.filter(household_id=pk, name="x").exists()


def test_the_api_lists_run_the_same_queries_for_few_or_many(world: World) -> None:
    api = world.api_for("xinshi_staff")
    for n in range(3):
        member(world, household(world, "huilong", f"周{n}"), f"周小{n}")
    api.get(reverse("api:me"))  # the grants are loaded once per user object

    def listed() -> list[int]:
        return [
            len(api.get(reverse("api:household-list")).json()["results"]),
            len(api.get(reverse("api:household-member-list")).json()["results"]),
        ]

    with CaptureQueriesContext(connection) as few:
        assert listed() == [3, 3]
    for n in range(30):
        member(world, household(world, "daqiaotou", f"李{n}"), f"李小{n}")
    with CaptureQueriesContext(connection) as many:
        assert listed() == [33, 33]
    assert len(many) == len(few)


def test_list_rows_escape_names_mask_phones_and_label_categories(world: World) -> None:
    household(world, "huilong", "<b>周</b>", mobile="13907339999", categories=HouseholdCategory.MILITARY)
    client = world.client_for("xinshi_staff")
    page = client.get(reverse("households:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "&lt;b&gt;周&lt;/b&gt;" in page
    assert "<b>周</b>" not in page
    assert "139****9999" in page
    assert "13907339999" not in page
    assert f'<span class="fl-level">{HouseholdCategory.MILITARY.label}</span>' in page
    assert 'data-label="Head of household"' in page
    chinese = client.get(reverse("households:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-label="户主"' in chinese


def test_the_filter_bar_keeps_the_chosen_category(world: World) -> None:
    page = (
        world.client_for("xinshi_staff")
        .get(reverse("households:list"), {"category": HouseholdCategory.MILITARY})
        .content.decode()
    )
    categories = page.split('<select name="category"')[1].split("</select>")[0]
    assert f'<option value="{HouseholdCategory.MILITARY.value}" selected>' in categories
    assert categories.count(" selected>") == 1


def test_an_organisation_code_outside_the_area_is_shown_beside_its_box(world: World) -> None:
    page = (
        world.client_for("xinshi_staff")
        .get(reverse("households:list"), {"org": world.org("shucai").code}, HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    # The code stays in the picker's box, marked invalid, and the list shows nothing.
    box = html.parse(page).select_one('input[name="org_text"]')
    assert (box.get("value"), "is-invalid" in (box.get("class") or "")) == (world.org("shucai").code, True)
    assert f"No organisation with code {world.org('shucai').code} in your area." in page
    assert "No household matches." in page
