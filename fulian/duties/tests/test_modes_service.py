"""The work modes: the city's administrators add, rename, retire and reorder them; nobody else."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fulian.duties.services import modes
from fulian.grid.models import WorkMode
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def names() -> list[str]:
    return list(WorkMode.objects.values_list("name", flat=True))


def test_seven_modes_ship_and_only_the_citys_administrator_changes_them(world: World) -> None:
    assert names() == ["入户走访", "政策宣讲", "矛盾调解", "帮扶关爱", "志愿服务", "组织活动", "建言献策"]
    for username in ("youxian_admin", "xinshi_staff", "huilong_zhiwei"):
        with pytest.raises(PermissionDenied):
            modes.mode_create(actor=world.user(username), name="普法宣传")
    made = modes.mode_create(actor=world.user("city_admin"), name=" 普法  宣传 ", name_en="Legal outreach")
    assert (made.name, names()[-1]) == ("普法 宣传", "普法 宣传")


def test_a_mode_name_is_required_unique_and_short(world: World) -> None:
    admin = world.user("city_admin")
    for name, words in (("", "required"), ("入户走访", "already"), ("长" * 31, "At most 30")):
        with pytest.raises(ValidationError) as error:
            modes.mode_create(actor=admin, name=name)
        assert list(error.value.message_dict) == ["name"]
        assert words in error.value.message_dict["name"][0]
    assert WorkMode.objects.count() == 7


def test_the_last_mode_in_use_is_never_retired(world: World) -> None:
    admin = world.user("city_admin")
    *others, last = list(WorkMode.objects.all())
    for mode in others:
        modes.mode_update(actor=admin, mode=mode, name=mode.name, active=False)
    with pytest.raises(ValidationError) as error:
        modes.mode_update(actor=admin, mode=last, name=last.name, active=False)
    assert list(error.value.message_dict) == ["active"]
    assert list(WorkMode.objects.filter(active=True)) == [last]


def test_reordering_puts_the_modes_left_out_after_the_ones_given(world: World) -> None:
    admin = world.user("city_admin")
    by_name = {m.name: m.pk for m in WorkMode.objects.all()}
    modes.modes_reorder(actor=admin, ids=[by_name["建言献策"], by_name["矛盾调解"]])
    assert names() == ["建言献策", "矛盾调解", "入户走访", "政策宣讲", "帮扶关爱", "志愿服务", "组织活动"]
    with pytest.raises(ValidationError, match="once"):
        modes.modes_reorder(actor=admin, ids=[by_name["建言献策"], by_name["建言献策"]])
    with pytest.raises(ValidationError, match="Unknown"):
        modes.modes_reorder(actor=admin, ids=[0])
