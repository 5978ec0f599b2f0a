"""The scheme pages in the scope tests: every URL taking the id of 炎陵县's scheme, of its version,
or of a category, rule, level or honour of it answers 404 to 新市镇's staff, and the list leaves
the scheme out for them. The insider's statuses are those of an empty POST: a form missing its
fields (400), or a deletion refused because the version is adopted (400)."""

from __future__ import annotations

from typing import Any

from fulian.orgs.choices import Level
from fulian.points.choices import HolderKind, HonourBasis
from fulian.points.models import Category, HonourRule, PointsLevel, Rule, Scheme, SchemeVersion
from fulian.points.tests.scope_cases import INSIDER, OUTSIDER, make_scheme
from fulian.testing.scope import ScopeCase


def make_version(world: Any) -> SchemeVersion:
    return make_scheme(world).versions.get()


def make_category(world: Any) -> Category:
    return make_version(world).categories.order_by("id")[0]


def make_rule(world: Any) -> Rule:
    return make_version(world).rules.order_by("id")[0]


def make_level(world: Any) -> PointsLevel:
    return make_version(world).levels.order_by("id")[0]


def make_honour_rule(world: Any) -> HonourRule:
    return HonourRule.objects.create(
        version=make_version(world),
        title="文明实践之星",
        basis=HonourBasis.RANK,
        holder_kind=HolderKind.PERSON,
        level=Level.VILLAGE,
        top=3,
    )


def _case(model: Any, make: Any, **routes: Any) -> ScopeCase:
    return ScopeCase(model=model, make=make, outsider=OUTSIDER, insider=INSIDER, **routes)


CASES = [
    _case(
        Scheme,
        make_scheme,
        detail=[("points:scheme_detail", "get"), ("points:version_new", "get"), ("points:version_new", "post", 400)],
        lists=[("points:scheme_list", lambda s: {})],
    ),
    _case(
        SchemeVersion,
        make_version,
        detail=[
            ("points:version_detail", "get"),
            ("points:version_settings", "get"),
            ("points:version_settings", "post", 400),
            ("points:version_adopt", "get"),
            ("points:version_adopt", "post", 400),
            ("points:category_create", "get"),
            ("points:category_create", "post", 400),
            ("points:rule_create", "get"),
            ("points:rule_create", "post", 400),
            ("points:level_create", "get"),
            ("points:level_create", "post", 400),
            ("points:honour_create", "get"),
            ("points:honour_create", "post", 400),
        ],
    ),
    _case(
        Category,
        make_category,
        detail=[
            ("points:category_edit", "get"),
            ("points:category_edit", "post", 400),
            ("points:category_delete", "post", 400),
        ],
    ),
    _case(
        Rule,
        make_rule,
        detail=[("points:rule_edit", "get"), ("points:rule_edit", "post", 400), ("points:rule_delete", "post", 400)],
    ),
    _case(
        PointsLevel,
        make_level,
        detail=[("points:level_edit", "get"), ("points:level_edit", "post", 400), ("points:level_delete", "post", 400)],
    ),
    _case(
        HonourRule,
        make_honour_rule,
        detail=[
            ("points:honour_edit", "get"),
            ("points:honour_edit", "post", 400),
            ("points:honour_delete", "post", 400),
        ],
    ),
]
