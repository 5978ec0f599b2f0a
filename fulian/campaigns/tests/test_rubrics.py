"""Scoring one sheet against a rubric: points, deductions that stop at zero, vetoes, and items
not applicable leaving the denominator."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fulian.campaigns.choices import ItemKind
from fulian.campaigns.rubrics import TEMPLATES, score_sheet
from fulian.campaigns.services.setup import template_sections


class Item:
    def __init__(self, pk, name, kind=ItemKind.POINTS, max_points="10", per_fault=None, allow_na=False):
        self.pk, self.name, self.kind = pk, name, kind
        self.max_points = Decimal(max_points)
        self.per_fault = Decimal(per_fault) if per_fault else None
        self.allow_na = allow_na


ITEMS = [
    Item(1, "室内整洁"),
    Item(2, "墙面地面", ItemKind.DEDUCTION, "10", "0.5"),
    Item(3, "绿化美化", allow_na=True),
    Item(4, "违法犯罪", ItemKind.VETO, "0"),
]


def test_points_and_deductions_make_a_percentage_of_what_was_possible():
    totals = score_sheet(ITEMS, {"1": {"v": "8.5"}, "2": {"faults": 3}, "3": {"v": 10}})
    assert totals.raw == Decimal("27.0")
    assert totals.possible == Decimal("30")
    assert totals.score == Decimal("90.00")
    assert not totals.vetoed


def test_a_deduction_never_goes_below_zero():
    totals = score_sheet(ITEMS, {"1": {"v": 10}, "2": {"faults": 40}, "3": {"v": 10}})
    assert totals.items["2"] == {"faults": 40, "v": "0"}
    assert totals.raw == Decimal(20)


def test_an_item_not_applicable_leaves_the_denominator():
    totals = score_sheet(ITEMS, {"1": {"v": 9}, "2": {"faults": 0}, "3": {"na": True}})
    assert totals.possible == Decimal(20)
    assert totals.score == Decimal("95.00")


def test_a_veto_hit_is_recorded_and_the_points_still_add_up():
    totals = score_sheet(ITEMS, {"1": {"v": 9}, "3": {"v": 9}, "4": {"hit": True}})
    assert totals.vetoed


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"1": {"v": 11}, "3": {"v": 1}}, "室内整洁: the score must be between 0 and 10"),
        ({"1": {"v": "7.3"}, "3": {"v": 1}}, "室内整洁: the score must be between 0 and 10, in half points"),
        ({"3": {"v": 1}}, "室内整洁 has no score yet"),
        ({"1": {"na": True}, "3": {"v": 1}}, "室内整洁 cannot be marked not applicable"),
        ({"1": {"v": 1}, "2": {"faults": -1}, "3": {"v": 1}}, "墙面地面: give the number of faults"),
        ({"1": {"v": 1}, "3": {"v": 1}, "99": {"v": 1}}, "not on the rubric: 99"),
        ({"1": {"v": "NaN"}, "3": {"v": 1}}, "室内整洁: the score must be between"),
    ],
)
def test_a_bad_value_names_its_item(values, message):
    with pytest.raises(ValidationError) as raised:
        score_sheet(ITEMS, values)
    assert any(message in m for m in raised.value.messages)


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_the_shipped_examples_total_a_hundred_points_with_a_veto(key):
    sections = template_sections(key)
    items = [item for section in sections for item in section["items"]]
    assert sum(Decimal(item["max_points"]) for item in items) == 100
    assert [item["kind"] for item in items].count(ItemKind.VETO) == 1


def test_the_seed_rubric_has_twelve_items_on_its_criteria():
    sections = template_sections("courtyard")
    assert [s["name"] for s in sections] == ["居室美", "厨卫美", "庭院美", "身心美", "家风", "一票否决"]
    assert sum(len(s["items"]) for s in sections) == 12
    assert [s["name"] for s in template_sections("courtyard_2021")][:5] == [
        "居室美",
        "环境美",
        "绿化美",
        "布局美",
        "家风美",
    ]
