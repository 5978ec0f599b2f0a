from fulian.orgs.models import Organisation
from fulian.people import services
from fulian.people.models import Person, Post, Term
from fulian.people.tests.helpers import person, post, with_photo
from fulian.testing.scope import ScopeCase


def _archived(world):  # an archived person of 蔬菜村: on its own page and in the archived list only
    return services.person_archive(
        actor=world.user("city_admin"), person=person(world, "shucai", "钟桃华"), reason="迁往长沙"
    )


# Everything here lives in 炎陵县 霞阳镇 蔬菜村: 新市镇's staff must never see it.
CASES = [
    ScopeCase(
        model=Person,
        make=lambda world: with_photo(world, person(world, "shucai", "钟桃华")),
        outsider="xinshi_staff",
        insider="yanling_admin",
        detail=[
            ("people:detail", "get"),
            ("people:edit", "get"),
            ("people:post_create", "post", 302),
            ("people:reveal", "post", 400),
            ("people:photo", "get"),
            ("api:person-detail", "get"),
            ("api:person-detail", "patch", 200),
            ("api:person-reveal", "post", 400),
            ("people:archive", "get"),
            ("people:archive", "post", 400),
            ("people:erase", "get"),
            ("people:erase", "post", 400),
            ("api:person-archive", "post", 400),
            ("api:person-erase", "post", 400),
            # Not a backbone activist: the insider is sent back to her page, or refused (400).
            ("people:promote", "get", 302),
            ("people:promote", "post", 400),
            ("api:person-promote", "post", 400),
        ],
        lists=[
            ("people:list", lambda p: {"q": "钟桃华"}),
            ("people:list", lambda p: {"search": "zth"}),
            ("api:person-list", lambda p: {"q": "zth"}),
            ("api:person-list", lambda p: {"search": "钟桃华"}),
            ("api:person-list", lambda p: {}),
        ],
    ),
    ScopeCase(
        model=Person,
        make=_archived,
        outsider="xinshi_staff",
        insider="yanling_admin",
        detail=[
            ("people:detail", "get"),
            ("people:restore", "get"),
            ("people:restore", "post", 400),
            ("api:person-detail", "get"),
            ("api:person-restore", "post", 400),
        ],
        lists=[
            ("people:list", lambda p: {"archived": "1", "q": "zth"}),
            ("api:person-list", lambda p: {"archived": "1"}),
        ],
    ),
    ScopeCase(
        model=Post,
        make=lambda world: post(world, person(world, "shucai", "钟桃华"), "shucai"),
        outsider="xinshi_staff",
        insider="yanling_admin",
        detail=[("people:post_end", "post", 302), ("api:post-detail", "get"), ("api:post-end", "post", 400)],
        lists=[("api:post-list", lambda p: {})],
    ),
    ScopeCase(
        model=Term,
        make=lambda world: post(world, person(world, "shucai", "钟桃华"), "shucai").term,
        outsider="xinshi_staff",
        insider="yanling_admin",
        detail=[("api:term-detail", "get")],
        lists=[("api:term-list", lambda t: {})],
    ),
]

# The committee pages of 蔬菜村妇联 take the organisation's id.
CASES.append(
    ScopeCase(
        model=Organisation,
        make=lambda world: world.org("shucai"),
        outsider="xinshi_staff",
        insider="yanling_admin",
        detail=[("people:roster", "get"), ("people:term_create", "post", 302), ("people:changeover", "post", 302)],
    )
)
