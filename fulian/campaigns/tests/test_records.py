"""Every campaign record the scope tests use can be made through the services, and is seen
by the county that runs the campaign and not by another county's township."""

from typing import Any

import pytest

from fulian.campaigns.tests.scope_cases import CASES, INSIDER, OUTSIDER

pytestmark = pytest.mark.django_db

# The first case of each model with a scope of its own: the records made in scope_cases.py itself
# (a part's later case may name the same model for an object that stands for it: a campaign's
# stage, a sheet's photo).
MAKERS: dict[str, Any] = {}
for _case in CASES:
    if hasattr(_case.model._default_manager, "visible_to"):
        MAKERS.setdefault(_case.model.__name__, _case)


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_a_record_of_yanling_is_yanlings_alone(world, name):
    case = MAKERS[name]
    obj = case.make(world)
    manager: Any = case.model._default_manager
    assert manager.visible_to(world.user(INSIDER)).filter(pk=obj.pk).exists()
    assert not manager.visible_to(world.user(OUTSIDER)).filter(pk=obj.pk).exists()
