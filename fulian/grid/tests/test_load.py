"""The load of the 执委: figures equal a hand count; the rule; the page and its query count."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fulian.audit.models import AuditEvent
from fulian.grid import coverage
from fulian.grid.load import load_figures, load_rule_set, rule_for
from fulian.grid.models import LoadRule
from fulian.grid.tests.helpers import assign, executive
from fulian.households.tests.helpers import household
from fulian.orgs.services import group_create_as_system
from fulian.people.tests.helpers import post

pytestmark = pytest.mark.django_db


def _world_with_loads(world):
    """回龙村: 甲 takes group 1 (3 households) and 2 more households directly; 乙 the whole
    village (7 households); 丙 nothing; a township 执委 of 新市镇 takes 回龙村 (an area); 丁 of
    大桥头村 takes 1 household; a past assignment of 丙 no longer counts."""
    group1 = world.org("huilong_group1")
    in_group = [household(world, "huilong_group1", f"组{n}") for n in range(3)]
    loose = [household(world, "huilong", f"散{n}") for n in range(4)]
    jia, yi, bing = executive(world, name="甲"), executive(world, name="乙"), executive(world, name="丙")
    # 甲 holds a second current post (township): she is still one 执委.
    post(world, jia.person, "xinshi")
    assign(world, jia, group1)
    assign(world, jia, *loose[:2])
    assign(world, yi, world.org("huilong"))
    assign(
        world,
        bing,
        loose[3],
        start_date=coverage.today() - datetime.timedelta(days=30),
        end_date=coverage.today() - datetime.timedelta(days=1),
    )
    township = executive(world, "xinshi", "戊")
    assign(world, township, world.org("huilong"))
    ding = executive(world, "daqiaotou", "丁")
    assign(world, ding, household(world, "daqiaotou", "外村户"))
    return {"jia": jia, "yi": yi, "bing": bing, "township": township, "ding": ding, "in_group": in_group}


def test_load_figures_equal_a_hand_count(world):
    people = _world_with_loads(world)
    figures = load_figures(world.org("xinshi"))
    loads = {load.name: (load.households, load.areas) for load in [*figures.most, *figures.least]}
    assert loads["甲"] == (5, 0)
    assert loads["乙"] == (7, 0)
    assert loads["丁"] == (1, 0)
    assert loads.get("丙", (0, 0)) == (0, 0)
    assert figures.executives == 5  # 甲 (two posts) counts once
    assert figures.with_areas == 1  # 戊 takes 回龙村: an area, not households
    assert figures.households_total == 13
    assert [(b.label, b.count) for b in figures.buckets] == [
        ("0", 1),
        ("1–4", 1),
        ("5–9", 2),
        ("10–19", 0),
        ("20–49", 0),
        ("50+", 0),
    ]
    assert [load.name for load in figures.most] == ["乙", "甲", "丁"]
    assert [load.name for load in figures.unassigned] == ["丙"]
    # Default rule 1+10: everyone taking households is under it; 戊, with an area, is not listed.
    assert figures.rule.min_households == 10
    assert figures.rule.org is None
    assert {load.name for load in figures.under_min} == {"甲", "乙", "丙", "丁"}
    assert people["township"].person_id not in {load.person_id for load in figures.under_min}


def test_the_figures_of_a_village_count_only_its_subtree(world):
    _world_with_loads(world)
    figures = load_figures(world.org("daqiaotou"))
    assert figures.executives == 1
    assert [(load.name, load.households) for load in figures.most] == [("丁", 1)]


def test_the_nearest_rule_applies_and_marks_the_over_and_under_loaded(world):
    _world_with_loads(world)
    load_rule_set(actor=world.user("city_admin"), org=world.org("youxian"), min_households=2, max_households=None)
    load_rule_set(actor=world.user("xinshi_staff"), org=world.org("xinshi"), min_households=3, max_households=6)
    assert rule_for(world.org("huilong")).org == world.org("xinshi")
    assert rule_for(world.org("jiangqiao")).min_households == 2
    assert rule_for(world.org("shucai")).org is None
    figures = load_figures(world.org("xinshi"))
    assert {load.name for load in figures.under_min} == {"丙", "丁"}
    assert [load.name for load in figures.over_max] == ["乙"]
    assert figures.over_max_count == 1


def test_load_rule_validation_names_the_field_and_is_audited(world):
    admin, org = world.user("city_admin"), world.org("xinshi")
    with pytest.raises(ValidationError) as error:
        load_rule_set(actor=admin, org=org, min_households=0, max_households=None)
    assert "min_households" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        load_rule_set(actor=admin, org=org, min_households=10, max_households=5)
    assert "max_households" in error.value.message_dict
    assert not LoadRule.objects.exists()
    with pytest.raises(PermissionDenied):
        load_rule_set(actor=world.user("leader"), org=org, min_households=5, max_households=None)
    rule = load_rule_set(actor=admin, org=org, min_households=12, max_households=40)
    assert AuditEvent.objects.filter(object_id=str(rule.pk)).exists()


def test_the_load_page_shows_the_figures_in_a_constant_number_of_queries(world, django_assert_max_num_queries):
    people = _world_with_loads(world)
    client = world.client_for("xinshi_staff")
    url = reverse("grid:load", kwargs={"pk": world.org("xinshi").pk})
    coverage.bring_up_to_date()  # the day's catch-up is not the page's
    with django_assert_max_num_queries(20) as few:
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="load-chart-data"' in body
    assert reverse("people:detail", kwargs={"pk": people["yi"].person_id}) in body
    assert f'{reverse("grid:assignment_list")}?person={people["yi"].person_id}"' in body
    # Many more 执委, each with households: the same number of queries.
    group = group_create_as_system(village=world.org("daqiaotou"), name="第二组")
    for n in range(8):
        assign(world, executive(world, "daqiaotou", f"多{n}"), household(world, "daqiaotou", f"多户{n}"))
    assign(world, executive(world, "daqiaotou", "组长"), group)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_rule_page_sets_the_rule_and_keeps_values_on_error(world):
    client = world.client_for("xinshi_staff")
    url = reverse("grid:load_rule", kwargs={"pk": world.org("xinshi").pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"min_households": "10", "max_households": "4"})
    assert response.status_code == 400
    assert 'value="4"' in response.content.decode()
    assert not LoadRule.objects.exists()
    response = client.post(url, {"min_households": "8", "max_households": ""})
    assert response.status_code == 302
    assert LoadRule.objects.get(org=world.org("xinshi")).min_households == 8
    viewer = world.client_for("leader")
    assert viewer.post(url, {"min_households": "3"}).status_code == 403
