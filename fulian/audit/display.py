"""The audit log as a reader reads it: names instead of ids, labels instead of stored values,
in the reader's language, without the columns nobody manages.

Events keep what was stored (ids, choice values, masked personal data); this module turns a
page of them into text. Related rows are looked up for the whole page at once: one query per
kind of row named on the page, whatever the number of events.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django.apps import apps
from django.db import models
from django.db.models import Q
from django.http import QueryDict
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from fulian.audit.models import DETAIL_LABELS, DETAIL_VALUES, AuditEvent, is_internal
from fulian.core.filters import OrgFilter, SearchFilter
from fulian.core.personal import mask_id_number, mask_mobile
from fulian.core.words import list_text

ORG_LABEL = "orgs.organisation"
USER_LABEL = "accounts.user"


@dataclass
class ChangeRow:
    label: str
    old: str | None
    new: str | None
    is_change: bool


@dataclass
class Shown:
    """What the log shows of one event."""

    target: str
    org: str
    rows: list[ChangeRow] = field(default_factory=list)


def org_label(org: Any) -> str:
    """``新市镇 回龙村``, ``回龙村 第三村民小组``: the organisation's name after its parent's (a
    group's name alone says little), the root's name alone."""
    parent = getattr(org, "parent", None)
    return f"{parent.display_name} {org.display_name}" if parent is not None else str(org.display_name)


def _row_label(model: type[models.Model], obj: Any) -> str:
    label = model._meta.label_lower
    if label == ORG_LABEL:
        return org_label(obj)
    if label == USER_LABEL:
        if not obj.full_name:
            return str(obj.username)
        return _("%(username)s (%(name)s)") % {"username": obj.username, "name": obj.full_name}
    return str(obj)


# Rows whose name reads another row: fetched with it.
_RELATED = {
    ORG_LABEL: ("parent",),
    "people.term": ("org",),
    "people.post": ("person",),
    # An assignment a change replaced is named "person → target".
    "grid.assignment": ("person", "household", "target_org"),
}


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    for f in model._meta.concrete_fields:
        if key in (f.attname, f.name):
            return f
    return None


def _pk(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


class Names:
    """Names of related rows for a page of events, looked up in bulk."""

    def __init__(self) -> None:
        self.wanted: dict[str, set[int]] = defaultdict(set)
        self.codes: set[str] = set()
        self.found: dict[str, dict[int, str]] = {}
        self.by_code: dict[str, str] = {}

    def want(self, label: str, value: Any) -> None:
        pk = _pk(value)
        if pk is not None:
            self.wanted[label].add(pk)

    def load(self) -> None:
        for label, pks in self.wanted.items():
            model = _model(label)
            if model is None:
                continue
            rows = model._base_manager.filter(pk__in=pks).select_related(*_RELATED.get(label, ()))
            self.found[label] = {row.pk: _row_label(model, row) for row in rows}
        if self.codes:
            org_model = apps.get_model("orgs", "Organisation")
            # The ``org`` filter holds a division code or (since the picker) an id.
            ids = {int(c) for c in self.codes if c.isascii() and c.isdigit() and len(c) < 6}
            rows = org_model._base_manager.filter(Q(code__in=self.codes) | Q(pk__in=ids)).select_related("parent")
            for row in rows:
                self.by_code[row.code] = self.by_code.get(row.code) or org_label(row)
                self.by_code.setdefault(str(row.pk), org_label(row))

    def name(self, label: str, value: Any) -> str | None:
        if value is None or value == "":
            return None
        pk = _pk(value)
        name = self.found.get(label, {}).get(pk) if pk is not None else None
        return name if name is not None else _("#%(id)s (deleted)") % {"id": value}

    def org_by_code(self, code: str) -> str:
        return self.by_code.get(code, code)


def _yes_no(value: Any) -> str | None:
    if value is None:
        return None
    return _("Yes") if value else _("No")


def _plain(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, list):
        return list_text(value)
    return str(value)


# ---------------------------------------------------------------- exports' filters


def _export_kind(event: AuditEvent) -> Any:
    """The export an event was of: named in it, or (older events) by its title in either language."""
    from fulian.exports.kinds import all_kinds, kind_named

    name = (event.changes or {}).get("kind")
    if name:
        try:
            return kind_named(str(name))
        except KeyError:
            return None
    for kind in all_kinds():
        for language in ("zh-hans", "en"):
            with translation.override(language):
                if str(kind.title) == event.object_repr:
                    return kind
    return None


def _want_filters(event: AuditEvent, names: Names) -> None:
    query = (event.changes or {}).get("filters")
    if isinstance(query, str) and query:
        codes = QueryDict(query).getlist("org")
        names.codes.update(c for c in codes if c)


# A search for a phone or ID number: 7 digits or more (an ID number may end in X).
_NUMBER_SEARCH = re.compile(r"^[\d\s-]{6,}[\dXx]$")


def masked_search(text: str) -> str:
    """A searched phone or ID number, masked like the number itself; other text as typed."""
    compact = re.sub(r"[\s-]", "", text)
    if not _NUMBER_SEARCH.match(text.strip()) or sum(c.isdigit() for c in compact) < 7:
        return text
    return mask_id_number(compact) if len(compact) >= 15 else mask_mobile(compact)


def masked_query(query: str) -> str:
    """A list's query string with its search masked where it is a phone or ID number: what the
    audit log keeps of an export's filters."""
    params = QueryDict(query, mutable=True)
    for key in ("search", "q"):
        if key in params:
            params.setlist(key, [masked_search(v) for v in params.getlist(key)])
    return params.urlencode()


def filters_text(filterset: Any, query: str, org_name: Any) -> list[tuple[str, str]]:
    """``[(label, value)]`` of a list's filters given as a query string: each filter by its label,
    each value by its label (an organisation by name). ``org_name(code)`` names an organisation."""
    shown: list[tuple[str, str]] = []
    params = QueryDict(query)
    declared = getattr(filterset, "base_filters", {}) if filterset is not None else {}
    for key in params:
        value = params.get(key, "").strip()
        if not value:
            continue
        if key == "org_text" and params.get("org", "").strip():
            continue  # the picker's text box, when the choice was made in its list
        # ``q``: the search's old name; ``org_text``: the picker's typed name.
        flt = declared.get({"q": "search", "org_text": "org"}.get(key, key))
        if flt is None:
            shown.append((key, value))
            continue
        label = str(flt.label or key)
        if isinstance(flt, OrgFilter):
            text = value if key == "org_text" else org_name(value)
        elif isinstance(flt, SearchFilter):
            text = masked_search(value)
        elif isinstance(flt, django_filters.ChoiceFilter):
            choices = flt.extra.get("choices") or []
            text = str({str(k): v for k, v in (choices() if callable(choices) else choices)}.get(value, value))
        elif isinstance(flt, django_filters.BooleanFilter):
            text = str(_yes_no(value.lower() in ("1", "true", "yes", "on")))
        else:
            text = value
        shown.append((label, text))
    return shown


def join_filters(pairs: Sequence[tuple[str, str]]) -> str:
    """``组织：新市镇；类别：留守儿童``."""
    return _("; ").join(_("%(label)s: %(value)s") % {"label": label, "value": value} for label, value in pairs)


# ---------------------------------------------------------------- one event


def _want(event: AuditEvent, names: Names) -> None:
    if event.org_id:
        names.want(ORG_LABEL, event.org_id)
    model = _model(event.object_type)
    for key, value in (event.changes or {}).items():
        f = _field(model, key)
        if f is not None and f.is_relation and f.related_model is not None and not is_internal(model, f, key):
            label = f.related_model._meta.label_lower  # type: ignore[union-attr]
            for v in value if isinstance(value, list) else [value]:
                names.want(label, v)
    if event.action == "export":
        _want_filters(event, names)


def _value(model: type[models.Model] | None, f: models.Field[Any, Any] | None, value: Any, names: Names) -> str | None:
    if value is None or value == "":
        return None
    if f is None:
        return _plain(value)
    labels = getattr(model, "audit_labels", {})
    if f.name in labels:
        try:
            return str(labels[f.name](value))
        except (TypeError, ValueError):
            return _plain(value)
    if f.is_relation and f.related_model is not None:
        return names.name(f.related_model._meta.label_lower, value)  # type: ignore[union-attr]
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return _yes_no(value)
    return _plain(value)


def _rows(event: AuditEvent, names: Names) -> list[ChangeRow]:
    model = _model(event.object_type)
    rows = []
    for key, value in (event.changes or {}).items():
        f = _field(model, key)
        if key == "kind" and event.action == "export":
            continue
        if f is not None and f.name == "password":
            # Stored by older versions as ****** → ******: a new password (or its hash upgraded).
            if isinstance(value, list) and len(value) == 2 and None not in value:
                rows.append(ChangeRow(str(f.verbose_name), _("changed"), None, False))
            continue
        if is_internal(model, f, key) and key not in DETAIL_LABELS:
            continue
        label = str(f.verbose_name) if f is not None else str(DETAIL_LABELS.get(key, key))
        if key == "field" and f is None and isinstance(value, str) and _field(model, value) is not None:
            # The field a reveal showed: by its name in the reader's language.
            rows.append(ChangeRow(label, str(_field(model, value).verbose_name), None, False))  # type: ignore[union-attr]
        elif key in DETAIL_VALUES and f is None and isinstance(value, str):
            rows.append(ChangeRow(label, str(DETAIL_VALUES[key].get(value, value)), None, False))
        elif key == "filters" and f is None:
            filterset = getattr(_export_kind(event), "filterset", None)
            text = join_filters(filters_text(filterset, str(value), names.org_by_code))
            rows.append(ChangeRow(str(DETAIL_LABELS["filters"]), text or _("none"), None, False))
        elif isinstance(value, list) and len(value) == 2 and f is not None:
            rows.append(ChangeRow(label, _value(model, f, value[0], names), _value(model, f, value[1], names), True))
        elif isinstance(value, list) and len(value) == 2 and f is None and key not in _LIST_DETAILS:
            rows.append(ChangeRow(label, _plain(value[0]), _plain(value[1]), True))
        else:
            rows.append(ChangeRow(label, _value(model, f, value, names), None, False))
    return rows


# Details whose value is a list of names (not an old → new pair).
_LIST_DETAILS = frozenset({"renamed", "moved", "groups", "members"})


def _target(event: AuditEvent) -> str:
    if event.action == "export":
        kind = _export_kind(event)
        if kind is not None:
            return str(kind.title)  # in the reader's language, whatever the exporter's was
    model = _model(event.object_type)
    kind = capfirst(str(model._meta.verbose_name)) if model is not None else ""
    name = event.object_repr
    if kind and name:
        return f"{kind} {name}"
    return name or kind


def show(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """The events, each with ``shown`` (:class:`Shown`): what the log page shows of it."""
    events = list(events)
    names = Names()
    for event in events:
        _want(event, names)
    names.load()
    for event in events:
        org = names.name(ORG_LABEL, event.org_id) if event.org_id else None
        event.shown = Shown(  # type: ignore[attr-defined]
            target=_target(event), org=org or "", rows=_rows(event, names)
        )
    return events
