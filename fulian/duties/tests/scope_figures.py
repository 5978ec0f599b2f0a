"""The duty figures of 炎陵县 (its silent 执委, its figures page): 新市镇's staff asking for them
get an error naming the organisation (a 400), never the figures; 炎陵县's admin gets them."""

from __future__ import annotations

from fulian.duties.tests.scope_cases import INSIDER, OUTSIDER, make_person
from fulian.orgs.models import Organisation
from fulian.people.models import Person
from fulian.testing.scope import ScopeCase

CASES = [
    # 钟桂兰 of 蔬菜村 has no record: she is among 炎陵县's silent 执委, a link to her records.
    ScopeCase(
        model=Person,
        make=make_person,
        outsider=OUTSIDER,
        insider=INSIDER,
        lists=[
            ("duties:figures_people", lambda p: {"kind": "silent", "org": p.org_id}, 400),
            ("duties:figures_people", lambda p: {"kind": "silent", "org": p.org.code}, 400),
        ],
        marker=lambda p: f"?person={p.pk}&amp;",
    ),
    # The figures page of 蔬菜村: its figures link to its drill-downs.
    ScopeCase(
        model=Organisation,
        make=lambda world: world.org("shucai"),
        outsider=OUTSIDER,
        insider=INSIDER,
        lists=[("duties:figures", lambda o: {"org": o.pk}, 400)],
        marker=lambda o: f"kind=silent&amp;org={o.pk}",
    ),
]
