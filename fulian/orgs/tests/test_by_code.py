"""Finding an organisation by the code a user typed, within the user's area: one way for every
form, filter and API field."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fulian.orgs.models import Organisation, OrganisationNotFound
from fulian.testing.world import World


def by_code(world: World, username: str, code: str) -> Organisation:
    return Organisation.objects.visible_to(world.user(username)).by_code(code)


def test_a_code_in_the_area_is_found_with_spaces_around_it(world: World) -> None:
    assert by_code(world, "youxian_admin", " 430223123215 ").display_name == "回龙村"


@pytest.mark.parametrize("code", ["430225100215", "430223999999", "4302231232150000"])
def test_outside_the_area_missing_and_too_long_read_the_same(world: World, code: str) -> None:
    # 430225100215 is 蔬菜村 of 炎陵县: it exists, but not for 攸县's administrator.
    with pytest.raises(OrganisationNotFound) as caught:
        by_code(world, "youxian_admin", code)
    assert caught.value.messages == [f"No organisation with code {code} in your area."]


def test_a_code_too_long_for_the_column_costs_no_query(world: World) -> None:
    visible = Organisation.objects.visible_to(world.user("youxian_admin"))
    with CaptureQueriesContext(connection) as queries, pytest.raises(OrganisationNotFound):
        visible.by_code("4" * 16)
    assert len(queries) == 0
