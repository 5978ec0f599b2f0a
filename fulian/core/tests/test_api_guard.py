"""The API's scope cannot be forgotten: a viewset that replaces ``get_queryset`` is refused when
its class is defined, and every registered viewset builds its rows through ``visible_to``."""

from typing import Any

import pytest
from django.db.models import QuerySet
from rest_framework import mixins, viewsets

from config.api_urls import router
from fulian.core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin
from fulian.orgs.models import Organisation
from fulian.testing.world import World


def test_a_viewset_that_overrides_get_queryset_is_refused_when_its_class_is_defined() -> None:
    with pytest.raises(TypeError, match=r"^Leaky overrides get_queryset; override refine_queryset instead\.$"):

        class Leaky(ScopedReadOnlyViewSet):
            scoped_model = Organisation

            def get_queryset(self) -> QuerySet[Any]:
                return Organisation.objects.all()


def test_the_refusal_reaches_subclasses_of_subclasses_and_plain_mixin_users() -> None:
    class Refined(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
        scoped_model = Organisation

        def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
            return queryset.filter(level="village")

    with pytest.raises(TypeError, match=r"^Deeper overrides get_queryset"):

        class Deeper(Refined):
            def get_queryset(self) -> QuerySet[Any]:
                return Organisation.objects.all()


def test_the_one_way_round_it_is_spelled_dangerously_unscoped() -> None:
    class Unscoped(ScopedReadOnlyViewSet):
        scoped_model = Organisation
        dangerously_unscoped = True

        def get_queryset(self) -> QuerySet[Any]:
            return Organisation.objects.all()

    assert Unscoped.__dict__["get_queryset"] is not ScopedViewSetMixin.get_queryset


def test_refine_queryset_narrows_what_visible_to_gives(world: World) -> None:
    class Villages(ScopedReadOnlyViewSet):
        scoped_model = Organisation

        def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
            return queryset.filter(level="village")

    view = Villages()
    view.request = type("Request", (), {"user": world.user("xinshi_staff")})()
    codes = sorted(view.get_queryset().values_list("code", flat=True))
    assert codes == ["430223123202", "430223123215"]  # 新市镇's villages only, none of 炎陵县


@pytest.mark.parametrize(("prefix", "viewset", "basename"), router.registry, ids=[r[0] for r in router.registry])
def test_every_registered_viewset_builds_its_rows_through_visible_to(prefix: str, viewset: Any, basename: str) -> None:
    assert issubclass(viewset, ScopedViewSetMixin), f"{viewset.__name__} does not build its queryset through the scope"
    assert not getattr(viewset, "dangerously_unscoped", False), f"{viewset.__name__} is marked dangerously_unscoped"
    assert hasattr(viewset.scoped_model.objects, "visible_to"), f"{viewset.__name__}.scoped_model has no visible_to"
    assert "get_queryset" not in vars(viewset)
