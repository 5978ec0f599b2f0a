"""The filters of the roster's lists: one definition for each list's page, API and export."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fulian.core.filters import ArchivedFilter, OrgFilter, ScopedFilterSet, SearchFilter, VisibleRowFilter
from fulian.people import selectors
from fulian.people.choices import PersonKind, PostKind
from fulian.people.models import Person, PersonQuerySet, Post, PostQuerySet, Term

_term_label = lazy(lambda n: gettext("Posts in term %(n)d") % {"n": n}, str)
TERMS = [(n, _term_label(n)) for n in range(1, 11)]


class PersonFilter(ScopedFilterSet):
    """The people list (``/people/``, ``/api/v1/people/``, its export), in id order."""

    search = SearchFilter(
        label=_("Name, pinyin (zth), phone or ID number"),
        help_text=_(
            "A name from its start, pinyin or initials, an exact mobile or ID number, or a mobile's last 4 digits."
        ),
    )
    org = OrgFilter(help_text=_("Only people at or below this organisation."))
    kind = django_filters.ChoiceFilter(
        label=_("Who"), choices=PersonKind.choices, empty_label=_("Everyone"), method="filter_kind"
    )
    post = django_filters.ChoiceFilter(
        label=_("Post"),
        choices=PostKind.choices,
        empty_label=_("Any post"),
        method="filter_post",
        help_text=_("People holding a current post of this kind."),
    )
    term = django_filters.ChoiceFilter(
        label=_("Term"),
        choices=TERMS,
        empty_label=_("Current posts"),
        method="filter_term",
        help_text=_("People who held a post in this term (第N届) of their federation."),
    )
    archived = ArchivedFilter()

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_kind(self, queryset: PersonQuerySet, name: str, value: str) -> PersonQuerySet:
        return queryset.of_kind(value)

    # Only posts the reader may see count: a village 执委 filtering by post or term must not find
    # her chair through the chair's post at the township (nor learn that it exists).
    def _posts(self) -> PostQuerySet:
        return Post.objects.visible_to(self.user).filter(person=OuterRef("pk"))

    def filter_post(self, queryset: PersonQuerySet, name: str, value: str) -> PersonQuerySet:
        return queryset.filter(Exists(self._posts().filter(end_date__isnull=True, kind=value)))

    # ``value: int`` documents the parameter as a number; the form gives its digits.
    def filter_term(self, queryset: PersonQuerySet, name: str, value: int) -> PersonQuerySet:
        return queryset.filter(Exists(self._posts().filter(term__number=int(value))))

    def filter_queryset(self, queryset: Any) -> Any:
        archived = bool(self.form.cleaned_data.get("archived"))
        return selectors.list_shape(super().filter_queryset(queryset), user=self.user, archived=archived)


class PostFilter(ScopedFilterSet):
    """The posts list of the API, in id order."""

    search = SearchFilter(label=_("Holder's name, pinyin, phone or ID number"))
    org = OrgFilter(within=False, help_text=_("The federation (its id or division code): its posts only."))
    current = django_filters.ChoiceFilter(
        label=_("Current"),
        choices=[("1", _("Only posts held now"))],
        method="filter_current",
        error_messages={"invalid_choice": _("Use 1 for the posts held now, or leave it out.")},
    )
    person = VisibleRowFilter(
        model=Person, message=_("No person with id %(value)s in your area."), label=_("Person id")
    )

    class Meta:
        model = Post
        fields: list[str] = []

    def filter_current(self, queryset: PostQuerySet, name: str, value: str) -> PostQuerySet:
        return queryset.current()

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset).select_related("person", "org", "term").order_by("id")


class TermFilter(ScopedFilterSet):
    """The terms list of the API: a federation's terms, newest first."""

    org = OrgFilter(within=False, help_text=_("The federation (its id or division code)."))

    class Meta:
        model = Term
        fields: list[str] = []

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset).select_related("org").order_by("org__path", "-number")
