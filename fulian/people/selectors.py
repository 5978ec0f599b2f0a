"""Reads of the roster shared by the pages, the API and the exports."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from fulian.core.scoping import AnyUser, can
from fulian.people.choices import POST_RANK, PostKind
from fulian.people.models import Person, PersonQuerySet, Post


def list_shape(people: PersonQuerySet, *, user: AnyUser, archived: bool = False) -> PersonQuerySet:
    """People as the lists show them (page, API, export): their organisation, the current posts
    ``user`` may see, who archived them (``archived``), in id order (the order of every
    ``(scope column, id)`` index)."""
    if archived:
        people = people.select_related("archived_by")
    return people.select_related("org__parent").prefetch_related(current_posts(user)).order_by("id")


def current_posts(user: AnyUser) -> Prefetch[Any]:
    """Each person's current posts that ``user`` may see: a village 执委 reading her chair's
    record does not see the chair's post at the township, which is not hers to know."""
    return Prefetch(
        "posts",
        queryset=Post.objects.visible_to(user).filter(end_date__isnull=True).select_related("org", "term"),
        to_attr="current_posts",
    )


def posts_of(user: AnyUser, person: Person) -> list[Post]:
    """A person's posts, newest first, those ``user`` may see; each knows whether ``user`` may
    change it (``can_change``), so a page offers only what will not be refused."""
    posts = list(
        Post.objects.visible_to(user).filter(person=person).select_related("org", "term").order_by("-start_date", "-id")
    )
    for post in posts:
        post.can_change = can(user, "people.change", post.org)  # type: ignore[attr-defined]
    return posts


def roster(posts: QuerySet[Post]) -> list[Post]:
    """Posts in rank order (chair first), then by name."""
    return sorted(posts, key=lambda p: (POST_RANK[PostKind(p.kind)], p.person.search_keys))


def export_headers() -> list[str]:
    return [
        _("Organisation code"),
        _("Organisation"),
        _("Full name"),
        _("Gender"),
        _("Date of birth"),
        _("ID number"),
        _("Mobile number"),
        _("Ethnicity"),
        _("Political status"),
        _("Education"),
        _("Workplace or occupation"),
        _("Address"),
        _("Skills and tags"),
        _("Current posts"),
        _("Backbone activist since"),
        _("Volunteer registered on"),
    ]


def _org_shown(org: Any) -> str:
    """A village group with its village (``回龙村 第三村民小组``): the group's name alone is one
    of many alike."""
    if org.level == "group" and org.parent is not None:
        return f"{org.parent.display_name} {org.display_name}"
    return str(org.display_name)


def export_rows(people: Sequence[Person] | QuerySet[Person], *, full: bool) -> Iterator[list[Any]]:
    for person in people:
        posts = "；".join(p.title for p in getattr(person, "current_posts", []))
        yield [
            person.org.code,
            _org_shown(person.org),
            person.name,
            person.get_gender_display(),
            person.birth_date,
            (person.id_number or "") if full else person.id_number_masked,
            (person.mobile or "") if full else person.mobile_masked,
            person.ethnicity,
            person.get_political_status_display() if person.political_status else "",
            person.get_education_display() if person.education else "",
            person.occupation,
            person.address,
            person.skills,
            posts,
            person.backbone_since,
            person.volunteer_since,
        ]
