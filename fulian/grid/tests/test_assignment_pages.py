"""The assignment pages: staff make, see, end and change 包干 through the services; bad input
gets its message beside the field and writes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant
from fulian.audit.display import show
from fulian.audit.models import AuditEvent
from fulian.grid import coverage, services
from fulian.grid.choices import Mode
from fulian.grid.models import Assignment
from fulian.grid.tests.helpers import START, assign, executive
from fulian.households.tests.helpers import household
from fulian.people import services as people_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

LIST = reverse("grid:assignment_list")
NEW = reverse("grid:assignment_create")


def new_url(post: Any) -> str:
    return f"{NEW}?post={post.pk}"


def form_data(*targets: Any, **values: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "targets": [f"h{t.pk}" if hasattr(t, "head_name") else f"o{t.pk}" for t in targets],
        "mode": Mode.CIRCUIT,
        "start_date": "2024-03-01",
        "end_date": "",
        "partner": "",
        "note": "",
    }
    data.update(values)
    return data


def text(response: Any) -> str:
    return response.content.decode()


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_the_member_her_post_the_target_and_the_mode(world):
    post = executive(world, "huilong", "周桂姣")
    h = household(world, "huilong_group1", "周建国")
    (made,) = assign(world, post, h, mode=Mode.JOINT, partner="李网格")
    response = world.client_for("xinshi_staff").get(LIST)
    body = text(response)
    assert response.status_code == 200
    assert f'href="{reverse("grid:assignment_detail", args=[made.pk])}"' in body
    assert "周桂姣" in body
    assert post.title in body
    assert "周建国" in body
    assert "第一村民小组" in body
    assert "李网格" in body


def test_the_list_holds_current_assignments_unless_asked_for_ended_ones(world):
    post = executive(world)
    current, ended = household(world, "huilong", "周一"), household(world, "huilong", "周二")
    (now,) = assign(world, post, current)
    (old,) = assign(world, post, ended, end_date=START + datetime.timedelta(days=30))
    later_start = coverage.today() + datetime.timedelta(days=10)
    (upcoming,) = assign(world, post, household(world, "huilong", "周三"), start_date=later_start)
    client = world.client_for("xinshi_staff")

    def shown(**params: str) -> set[int]:
        page = client.get(LIST, params).context["page"]
        return {a.pk for a in page.items}

    assert shown() == {now.pk, upcoming.pk}
    assert shown(status="ended") == {old.pk}
    assert shown(status="all") == {now.pk, old.pk, upcoming.pk}
    assert shown(status="all", on=str(START + datetime.timedelta(days=5))) == {now.pk, old.pk}


def test_the_list_filters_by_name_pinyin_mode_level_area_and_person(world):
    village_post = executive(world, "huilong", "周桂姣")
    township_post = executive(world, "xinshi", "李四")
    (village,) = assign(world, village_post, household(world, "huilong", "周一"), mode=Mode.NEARBY)
    (township,) = assign(world, township_post, world.org("daqiaotou"))
    client = world.client_for("xinshi_staff")

    def shown(**params: Any) -> set[int]:
        response = client.get(LIST, params)
        assert response.status_code == 200
        return {a.pk for a in response.context["page"].items}

    assert shown(search="zgj") == {village.pk}
    assert shown(search="李") == {township.pk}
    assert shown(mode=Mode.NEARBY) == {village.pk}
    assert shown(tier="township") == {township.pk}
    assert shown(org=world.org("daqiaotou").code) == {township.pk}
    assert shown(person=township_post.person_id) == {township.pk}


def test_a_filter_naming_an_area_outside_the_scope_is_an_error_not_the_whole_list(world):
    assign(world, executive(world), household(world, "huilong", "周一"))
    response = world.client_for("xinshi_staff").get(LIST, {"org": world.org("shucai").code})
    assert response.context["page"].items == []
    assert response.context["form"].errors["org"]


def test_the_list_runs_the_same_number_of_queries_for_more_rows(world):
    client = world.client_for("xinshi_staff")
    post = executive(world)
    assign(world, post, household(world, "huilong_group1", "周一"))
    assign(world, executive(world, "xinshi", "李四"), world.org("huilong"))
    client.get(LIST)  # the user's grants are cached from here on
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    for i in range(12):
        assign(world, post, household(world, "huilong", f"周{i}号"))
    assign(world, executive(world, "xinshi", "王五"), world.org("daqiaotou"))
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(response.context["page"].items) == 15
    assert len(many.captured_queries) == len(few.captured_queries)


# --- making assignments ----------------------------------------------------------------------


def test_choosing_the_member_lists_current_posts_of_the_area_by_name_or_pinyin(world):
    mine = executive(world, "huilong", "周桂姣")
    executive(world, "shucai", "钟桂兰")  # 炎陵县: not xinshi_staff's
    client = world.client_for("xinshi_staff")
    body = text(client.get(NEW))
    assert "周桂姣" in body
    assert "钟桂兰" not in body
    assign(world, mine, household(world), world.org("huilong_group1"))
    found = client.get(NEW, {"search": "zgj"})
    assert f"?post={mine.pk}" in text(found)
    assert [p.held for p in found.context["page"].items] == [2]  # what she answers for already
    assert "周桂姣" not in text(client.get(NEW, {"search": "wangwu"}))


def test_a_village_member_is_offered_her_village_its_groups_and_households_with_who_answers_for_them(world):
    post = executive(world, "huilong", "周桂姣")
    other = executive(world, "huilong", "周红")
    taken = household(world, "huilong_group1", "周已包")
    free = household(world, "huilong", "周未包")
    household(world, "daqiaotou", "外村户")
    assign(world, other, taken, mode=Mode.NEARBY)
    response = world.client_for("xinshi_staff").get(new_url(post))
    body = text(response)
    assert response.status_code == 200
    values = {o.value for o in response.context["form"].options}
    assert values == {
        f"o{world.org('huilong').pk}",
        f"o{world.org('huilong_group1').pk}",
        f"h{taken.pk}",
        f"h{free.pk}",
    }
    assert "周红" in body  # who answers for the taken household now
    assert "外村户" not in body


def test_a_township_member_is_offered_the_villages_of_her_township_marking_those_with_nobody(world):
    post = executive(world, "xinshi", "李四")
    assign(world, executive(world, "xinshi", "王五"), world.org("huilong"))
    response = world.client_for("xinshi_staff").get(new_url(post))
    options = {o.target.code: o for o in response.context["form"].options}
    assert set(options) == {world.org("huilong").code, world.org("daqiaotou").code}
    assert options[world.org("huilong").code].responsible
    assert not options[world.org("daqiaotou").code].responsible


def test_two_households_assigned_in_one_go_lead_to_her_list_with_a_message(world):
    post = executive(world)
    a, b = household(world, "huilong", "周一"), household(world, "huilong_group1", "周二")
    client = world.client_for("xinshi_staff")
    response = client.post(new_url(post), form_data(a, b, mode=Mode.NEARBY), follow=True)
    assert response.redirect_chain[-1][0] == f"{LIST}?person={post.person_id}"
    made = Assignment.objects.filter(post=post)
    assert {m.household_id for m in made} == {a.pk, b.pk}
    assert {m.start_date for m in made} == {datetime.date(2024, 3, 1)}
    assert "2 assignments made" in text(response)
    assert {m.pk for m in response.context["page"].items} == {m.pk for m in made}
    a.refresh_from_db()
    assert a.covered


def test_one_assignment_made_leads_to_its_page(world):
    post = executive(world, "xinshi", "李四")
    response = world.client_for("xinshi_staff").post(new_url(post), form_data(world.org("huilong")))
    made = Assignment.objects.get(post=post)
    assert response.status_code == 302
    assert response["Location"] == reverse("grid:assignment_detail", args=[made.pk])


def assert_refused(response: Any, field: str | None, message: str) -> None:
    assert response.status_code == 400
    form = response.context["form"]
    errors = form.errors.get(field or "__all__", [])
    assert any(message in e for e in errors), form.errors
    assert message in text(response)


def test_an_overlapping_assignment_is_refused_beside_the_targets_and_nothing_is_written(world):
    post = executive(world)
    a, b = household(world, "huilong", "周一"), household(world, "huilong", "周二")
    assign(world, post, a)
    response = world.client_for("xinshi_staff").post(new_url(post), form_data(b, a, note="保留"))
    assert_refused(response, "targets", "already responsible")
    assert Assignment.objects.count() == 1  # not even b
    assert response.context["form"]["note"].value() == "保留"
    ticked = {option.value for option, is_ticked in response.context["form"].option_rows() if is_ticked}
    assert ticked == {f"h{a.pk}", f"h{b.pk}"}  # the boxes ticked are kept


def test_an_assignment_ending_before_it_starts_is_refused_beside_the_end_date(world):
    post = executive(world)
    h = household(world, "huilong", "周一")
    response = world.client_for("xinshi_staff").post(new_url(post), form_data(h, end_date="2024-02-01"))
    assert_refused(response, "end_date", "cannot end before it starts")
    assert not Assignment.objects.exists()


def test_a_member_whose_post_ended_cannot_take_responsibility(world):
    post = executive(world)
    h = household(world, "huilong", "周一")
    people_services.post_end(actor=world.user("city_admin"), post=post, on=datetime.date(2024, 1, 31))
    client = world.client_for("xinshi_staff")
    assert "2024-01-31" in text(client.get(new_url(post)))
    response = client.post(new_url(post), form_data(h))
    assert_refused(response, None, "post ended on 2024-01-31")
    assert not Assignment.objects.exists()


def test_a_household_of_another_subtree_is_refused_like_one_that_does_not_exist(world):
    post = executive(world)
    mine = household(world, "huilong", "周一")
    elsewhere = household(world, "shucai", "钟建华")
    client = world.client_for("xinshi_staff")
    outside = client.post(new_url(post), form_data(mine, elsewhere))
    missing = client.post(new_url(post), form_data(mine, targets=[f"h{mine.pk}", "h999999"]))
    message = "is not an area or household she can take in your area"
    assert_refused(outside, "targets", message)
    assert_refused(missing, "targets", message)
    assert outside.context["form"].errors["targets"][0].replace(str(elsewhere.pk), "N") == missing.context[
        "form"
    ].errors["targets"][0].replace("999999", "N")
    assert "钟建华" not in text(outside)
    assert not Assignment.objects.exists()


def test_a_target_taken_one_to_one_meanwhile_is_refused_when_the_form_comes_back(world):
    post = executive(world)
    h = household(world, "huilong", "周一")
    client = world.client_for("xinshi_staff")
    assert client.get(new_url(post)).status_code == 200
    # Somebody else takes it one to one while the form is open.
    assign(world, executive(world, "huilong", "周红"), h, mode=Mode.NEARBY, start_date=datetime.date(2024, 1, 1))
    response = client.post(new_url(post), form_data(h, mode=Mode.NEARBY))
    assert_refused(response, "targets", "one-to-one")
    assert Assignment.objects.filter(post=post).count() == 0


def test_joint_responsibility_needs_the_grid_worker_named(world):
    post = executive(world)
    h = household(world, "huilong", "周一")
    response = world.client_for("xinshi_staff").post(new_url(post), form_data(h, mode=Mode.JOINT))
    assert_refused(response, "partner", "grid worker")
    assert not Assignment.objects.exists()


def test_a_post_outside_the_area_is_not_found_and_members_may_not_assign(world):
    outside = executive(world, "shucai", "钟桂兰")
    inside = executive(world)
    assert world.client_for("xinshi_staff").get(new_url(outside)).status_code == 404
    assert world.client_for("xinshi_staff").get(f"{NEW}?post=abc").status_code == 302
    assert world.client_for("huilong_zhiwei").get(NEW).status_code == 403
    assert world.client_for("leader").get(new_url(inside)).status_code == 403


# --- one assignment: its page, ending it, changing it ---------------------------------------


def test_the_page_shows_the_assignment_its_coverage_and_its_history(world):
    first, second = executive(world, "huilong", "周一姐"), executive(world, "huilong", "周二姐")
    h = household(world, "huilong", "周建国")
    (made,) = assign(world, first, h)
    changed = services.assignment_change(
        actor=world.user("city_admin"), assignment=made, on=datetime.date(2024, 6, 1), post=second
    )
    client = world.client_for("xinshi_staff")
    old_page = client.get(reverse("grid:assignment_detail", args=[made.pk]))
    new_page = client.get(reverse("grid:assignment_detail", args=[changed.pk]))
    assert [a.pk for a in old_page.context["later"]] == [changed.pk]
    assert [a.pk for a in new_page.context["earlier"]] == [made.pk]
    assert "周二姐" in text(old_page)
    assert "2024-05-31" in text(old_page)
    assert [r.pk for r in new_page.context["standing"]["responsible"]] == [changed.pk]
    assert reverse("grid:assignment_end", args=[changed.pk]) in text(new_page)
    assert reverse("grid:assignment_end", args=[made.pk]) not in text(old_page)  # ended: no buttons


def test_an_area_assignment_shows_its_households_covered(world):
    post = executive(world)
    household(world, "huilong_group1", "周一")
    household(world, "huilong", "周二")
    (made,) = assign(world, post, world.org("huilong_group1"))
    response = world.client_for("xinshi_staff").get(reverse("grid:assignment_detail", args=[made.pk]))
    figure = response.context["standing"]["figure"]
    assert (figure.covered, figure.households) == (1, 1)


def test_the_audit_link_shows_only_to_whoever_may_read_the_audit_log(world):
    (made,) = assign(world, executive(world), household(world, "huilong", "周一"))
    url = reverse("grid:assignment_detail", args=[made.pk])
    assert reverse("audit:list") not in text(world.client_for("xinshi_staff").get(url))
    RoleGrant.objects.create(user=world.user("auditor"), org=world.org("city"), role=Role.VIEWER)
    assert reverse("audit:list") in text(world.client_for("auditor").get(url))


def test_ending_an_assignment_keeps_it_with_its_last_day_and_reason(world):
    h = household(world, "huilong", "周一")
    (made,) = assign(world, executive(world), h)
    client = world.client_for("xinshi_staff")
    url = reverse("grid:assignment_end", args=[made.pk])
    form = client.get(url)
    assert form.context["form"]["end_date"].value() == coverage.today()
    response = client.post(url, {"end_date": "2024-05-31", "end_reason": "外出务工"})
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.end_date, made.end_reason) == (datetime.date(2024, 5, 31), "外出务工")
    h.refresh_from_db()
    assert not h.covered


def test_an_end_before_the_start_is_refused_beside_the_date(world):
    (made,) = assign(world, executive(world), household(world, "huilong", "周一"))
    response = world.client_for("xinshi_staff").post(
        reverse("grid:assignment_end", args=[made.pk]), {"end_date": "2021-12-31", "end_reason": ""}
    )
    assert_refused(response, "end_date", "cannot end before it starts")
    made.refresh_from_db()
    assert made.end_date is None


def test_handing_over_to_another_member_of_the_federation_keeps_the_old_one(world):
    first, second = executive(world, "huilong", "周一姐"), executive(world, "huilong", "周二姐")
    (made,) = assign(world, first, household(world, "huilong", "周一"))
    client = world.client_for("xinshi_staff")
    url = reverse("grid:assignment_change", args=[made.pk])
    page = client.get(url)
    choices = {p.pk for p in page.context["form"].fields["post"].queryset}
    assert {first.pk, second.pk} <= choices
    response = client.post(
        url, {"on": "2024-06-01", "post": second.pk, "mode": Mode.STATIONED, "partner": "", "note": "调整"}
    )
    new = Assignment.objects.get(previous=made)
    assert response["Location"] == reverse("grid:assignment_detail", args=[new.pk])
    made.refresh_from_db()
    assert made.end_date == datetime.date(2024, 5, 31)
    assert (new.post_id, new.mode, new.start_date, new.note) == (
        second.pk,
        Mode.STATIONED,
        datetime.date(2024, 6, 1),
        "调整",
    )


def test_a_handover_to_a_member_of_another_federation_is_refused(world):
    (made,) = assign(world, executive(world), household(world, "huilong", "周一"))
    stranger = executive(world, "daqiaotou", "外村姐")
    response = world.client_for("xinshi_staff").post(
        reverse("grid:assignment_change", args=[made.pk]),
        {"on": "2024-06-01", "post": stranger.pk, "mode": Mode.CIRCUIT},
    )
    assert_refused(response, "post", "same federation")
    assert Assignment.objects.count() == 1


def test_a_change_before_the_start_is_refused(world):
    (made,) = assign(world, executive(world), household(world, "huilong", "周一"))
    response = world.client_for("xinshi_staff").post(
        reverse("grid:assignment_change", args=[made.pk]),
        {"on": "2021-06-01", "post": made.post_id, "mode": Mode.CIRCUIT},
    )
    assert_refused(response, "on", "before the assignment starts")


@pytest.mark.parametrize("username", ["huilong_zhiwei", "leader"])
def test_who_sees_but_may_not_assign_gets_403_on_end_and_change(world, username):
    (made,) = assign(world, executive(world), household(world, "huilong", "周一"))
    client = world.client_for(username)
    assert client.get(reverse("grid:assignment_detail", args=[made.pk])).status_code == 200
    for name in ("grid:assignment_end", "grid:assignment_change"):
        assert client.get(reverse(name, args=[made.pk])).status_code == 403
        assert (
            client.post(reverse(name, args=[made.pk]), {"end_date": "2024-01-01", "on": "2024-01-01"}).status_code
            == 403
        )
    made.refresh_from_db()
    assert made.end_date is None


# --- the audit log -------------------------------------------------------------------------


def test_the_audit_log_names_the_member_the_target_and_the_level_of_an_assignment(world):
    first, second = executive(world, "huilong", "周桂姣"), executive(world, "huilong", "周红")
    (made,) = assign(world, first, household(world, "huilong", "周建国"))
    services.assignment_change(actor=world.user("city_admin"), assignment=made, on=START.replace(month=6), post=second)
    events: list[Any] = show(AuditEvent.objects.filter(object_type="grid.assignment").order_by("id"))
    created = {row.label: row.new for row in events[0].shown.rows}
    assert "周桂姣" in events[0].shown.target
    assert "周建国" in events[0].shown.target
    assert created["executive member"] == "周桂姣"
    assert created["household"] == "周建国"
    assert "周桂姣" in created["post"]
    assert created["level"] == "Village"  # not the stored "village"
    ended = {row.label: row.new for row in events[1].shown.rows}
    assert ended["end date"] == "2022-05-31"
    replacing = {row.label: row.new for row in events[2].shown.rows}
    assert replacing["replaces"] == "周桂姣 → 周建国"


def test_a_search_as_you_type_gets_only_the_results(world):
    assign(world, executive(world, "huilong", "周桂姣"), household(world, "huilong", "周一"))
    response = world.client_for("xinshi_staff").get(LIST, {"search": "zgj"}, HTTP_HX_REQUEST="true")
    body = text(response)
    assert "周桂姣" in body
    assert "<html" not in body
    assert 'id="id_search"' not in body


def test_a_status_that_is_not_one_of_the_choices_is_an_error_over_no_rows(world):
    assign(world, executive(world), household(world, "huilong", "周一"))
    response = world.client_for("xinshi_staff").get(LIST, {"status": "someday"})
    assert response.context["page"].items == []
    assert response.context["form"].errors["status"]


def test_the_menu_offers_the_assignments_to_those_who_may_assign(world):
    link = f'href="{LIST}"'
    assert link in world.client_for("xinshi_staff").get(reverse("home")).content.decode()
    assert link not in world.client_for("huilong_zhiwei").get(reverse("home")).content.decode()
    assert link not in world.client_for("leader").get(reverse("home")).content.decode()
