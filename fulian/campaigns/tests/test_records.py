"""Every campaign record the scope tests use can be made through the services, and is seen
by the county that runs the campaign and not by another county's township."""

from typing import Any

import pytest

from fulian.campaigns.tests.scope_cases import CASES, INSIDER, OUTSIDER

pytestmark = pytest.mark.django_db

# Records with a scope of their own (a stage is seen with its campaign: it has no visible_to).
MAKERS = {case.model.__name__: case for case in CASES if hasattr(case.model._default_manager, "visible_to")}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_a_record_of_yanling_is_yanlings_alone(world, name):
    case = MAKERS[name]
    obj = case.make(world)
    manager: Any = case.model._default_manager
    assert manager.visible_to(world.user(INSIDER)).filter(pk=obj.pk).exists()
    assert not manager.visible_to(world.user(OUTSIDER)).filter(pk=obj.pk).exists()
