"""Choosing an organisation: by id, division code, name, full pinyin or initials, always among the
organisations the user may act on (``Organisation.objects.visible_to(user, action)``).

Used by the one organisation picker of the pages (``orgs.forms.OrgChoiceField``, its suggestions
``orgs.views.org_pick``), by the list filters and by the API fields. A value that matches nothing
in the user's area gets the same message whether it exists elsewhere or not (no existence leak).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext

from fulian.core.scoping import AnyUser, grants_for
from fulian.orgs.choices import Level
from fulian.orgs.models import NAME_MAX_LENGTH, Organisation, OrganisationNotFound

SUGGESTIONS = 20  # the picker's list: enough to scroll a little, never the whole city
CANDIDATES = 10  # "did you mean" after an ambiguous name
SEPARATOR = " › "
MAX_ID = 2**63 - 1
# Division codes are 6 (county), 9 (township), 12 (village) or 15 digits (group); the city's too.
CODE_LENGTHS = {4, 6, 9, 12, 15}
# How far below each grant the picker's fallback list (no JavaScript) reaches: a city user gets
# its counties and townships (~120), a county its townships, a township its villages, a village
# its groups. Deeper organisations are still reached by typing a name or code.
FALLBACK_DEPTH = {Level.PROVINCE: 1, Level.CITY: 2}


def label(org: Organisation, roots: list[str] | None = None) -> str:
    """``新市镇 › 回龙村``: the organisation with its parent, so that two 回龙村 differ. With
    ``roots`` (the paths of the user's areas, ``scope_roots``), a parent outside them is left out:
    a village's own users are not shown the township above them."""
    parent = org.parent if org.parent_id else None
    if parent is not None and roots is not None and not any(parent.path.startswith(r) for r in roots):
        parent = None
    return f"{parent.display_name}{SEPARATOR}{org.display_name}" if parent else org.display_name


def scope_roots(user: AnyUser, action: str) -> list[str]:
    """The paths of the organisations where ``user``'s areas for ``action`` begin (no query)."""
    return [g.path for g in grants_for(user, action)]


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


class OrganisationAmbiguous(ValidationError):
    """A name that several organisations of the user's area answer to; ``candidates`` are the
    first of them, to choose from."""

    def __init__(self, text: str, candidates: list[Organisation], *, partial: bool = False) -> None:
        self.candidates = candidates
        message = (
            gettext("No organisation in your area is called “%(value)s”: choose one of the close names in the list.")
            if partial
            else gettext("“%(value)s” matches more than one organisation in your area: choose one from the list.")
        )
        super().__init__(message % {"value": _shown(text)}, code="org_ambiguous")


class OrganisationNameNotFound(ValidationError):
    def __init__(self, text: str) -> None:
        super().__init__(
            gettext("No organisation called “%(value)s” in your area.") % {"value": _shown(text)}, code="org_not_found"
        )


def not_a_reference(text: str) -> str:
    """The message for a value that is no id or division code at all (``abc``, ``1.5``)."""
    return gettext("“%(value)s” is not an organisation id or division code.") % {"value": _shown(text)}


def _shown(text: str) -> str:
    """A value typed, as a message repeats it: short, without control characters."""
    clean = "".join(c if c.isprintable() else "?" for c in text)
    return clean if len(clean) <= 50 else clean[:50] + "…"


def resolve_ref(rows: QuerySet[Organisation], value: object, *, strict: bool = False) -> Organisation:
    """The organisation whose division code, or else id, is ``value`` (a number or digits) among
    ``rows`` (already scoped). A value that is both one organisation's code and another's id is
    the code (ids stay far below the shortest code, 6 digits, in a city's tree). Spaces around
    the digits are ignored unless ``strict`` (the API's bodies)."""
    text = str(value) if value is not None else ""
    if not strict:
        text = text.strip()
    if not _digits(text) or len(text) > 19:
        raise ValidationError(not_a_reference(text), code="org_not_found")
    if int(text) > MAX_ID or int(text) == 0:
        raise OrganisationNotFound(text)
    matches = list(rows.filter(Q(code=text) | Q(pk=int(text))).select_related("parent")[:2])
    for org in matches:
        if org.code == text:
            return org
    if matches:
        return matches[0]
    if len(text) in CODE_LENGTHS:
        raise OrganisationNotFound(text)
    raise ValidationError(
        gettext("No organisation with id or code %(value)s in your area.") % {"value": text}, code="org_not_found"
    )


def resolve_text(rows: QuerySet[Organisation], text: str) -> Organisation:
    """What a person typed: a code or id, or a name, full pinyin or initials (``回龙村``,
    ``huilongcun``, ``hlc``), or a picker label (``新市镇 › 回龙村``). A name is taken only when
    exactly one organisation of the area bears it; several are :class:`OrganisationAmbiguous`
    (with them as candidates), a partial match is offered the same way, never taken silently."""
    text = " ".join(str(text).split())
    if not text or not text.isprintable():
        # A NUL is a database error on PostgreSQL: not found, without a query.
        raise OrganisationNameNotFound(_shown(text))
    if _digits(text):
        return resolve_ref(rows, text)
    if len(text) > NAME_MAX_LENGTH * 2 + len(SEPARATOR):
        raise OrganisationNameNotFound(text)
    parent_name, _sep, name = text.rpartition(SEPARATOR.strip())
    parent_name, name = parent_name.strip(), name.strip()
    named = rows
    if parent_name:
        named = rows.filter(Q(parent__display_name=parent_name) | Q(parent__name=parent_name))
    exact = list(_ordered(named.filter(_exact_q(name)), name)[: CANDIDATES + 1])
    if len(exact) == 1:
        return exact[0]
    if exact:
        raise OrganisationAmbiguous(text, exact[:CANDIDATES])
    partial = list(search(named, name)[:CANDIDATES])
    if partial:
        raise OrganisationAmbiguous(text, partial, partial=True)
    raise OrganisationNameNotFound(text)


def _exact_q(text: str) -> Q:
    lowered = text.lower().replace(" ", "")
    return Q(name=text) | Q(display_name=text) | _reading("name_pinyin", lowered) | _reading("name_initials", lowered)


def _reading(column: str, text: str) -> Q:
    """``text`` is one of the space-separated readings in ``column`` (a name with a character
    read two ways, such as 新市镇, has ``xinshizhen xinfuzhen`` and ``xsz xfz``)."""
    return (
        Q(**{column: text})
        | Q(**{f"{column}__startswith": f"{text} "})
        | Q(**{f"{column}__endswith": f" {text}"})
        | Q(**{f"{column}__contains": f" {text} "})
    )


def _ordered(rows: QuerySet[Organisation], text: str) -> QuerySet[Organisation]:
    """Exact matches first, then names that start with ``text``, then the rest; shallower
    organisations first (a township before the villages that share its name), then the tree."""
    lowered = text.lower().replace(" ", "")
    rank = Case(
        When(_exact_q(text), then=Value(0)),
        When(
            Q(display_name__startswith=text)
            | Q(name_pinyin__startswith=lowered)
            | Q(name_initials__startswith=lowered)
            | Q(code__startswith=text),
            then=Value(1),
        ),
        default=Value(2),
        output_field=IntegerField(),
    )
    return rows.select_related("parent").annotate(pick_rank=rank).order_by("pick_rank", "depth", "path")


def search(rows: QuerySet[Organisation], text: str) -> QuerySet[Organisation]:
    """The picker's suggestions for ``text`` among ``rows`` (already scoped), best first."""
    text = " ".join(str(text).split())[:NAME_MAX_LENGTH]
    if not text or not text.isprintable():
        return rows.none()
    if _digits(text):
        found = rows.filter(Q(code__startswith=text) | Q(pk=int(text)) if len(text) <= 18 else Q(code=text))
        return _ordered(found, text)
    parent_name, _sep, name = text.rpartition(SEPARATOR.strip())
    parent_name, name = parent_name.strip(), name.strip()
    if parent_name:
        rows = rows.filter(Q(parent__display_name=parent_name) | Q(parent__name=parent_name))
    if not name:
        return rows.none()
    return _ordered(rows.search(name), name)  # type: ignore[attr-defined]


def fallback_choices(user: AnyUser, action: str, current: Organisation | None = None) -> list[Organisation]:
    """The organisations a plain list offers when the page runs without JavaScript: each of the
    user's top organisations for ``action`` and the levels just below it (see FALLBACK_DEPTH),
    and the current value wherever it lies. One query."""
    condition = Q()
    for grant in grants_for(user, action):
        depth = grant.path.strip("/").count("/") + 1
        condition |= Q(path__startswith=grant.path, depth__lte=depth + FALLBACK_DEPTH.get(grant.level, 1))  # type: ignore[call-overload]
    if not condition:
        return []
    rows = Organisation.objects.visible_to(user, action)
    if current is not None:
        condition |= Q(pk=current.pk)
    return list(rows.filter(condition).select_related("parent").order_by("path"))
