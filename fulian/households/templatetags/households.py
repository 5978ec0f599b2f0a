"""The rows of the household list, built in Python.

Measured under load (bench/people_scale.py, gunicorn on 2 cores), most of a list request
went to the template engine walking 51 rows of tags and filters, then to ``format_html``
escaping the same five column labels on every row. Here the row's markup, with its labels,
is made once per language; a row fills in its own five values, each escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fulian.core.personal import mask_mobile
from fulian.households.choices import HouseholdCategory

register = template.Library()


@lru_cache(maxsize=512)
def _category_badges(flags: int, language: str | None) -> str:
    """The category badges of one combination of flags, in one language (there are few)."""
    labels = [str(c.label) for c in HouseholdCategory if flags & c.value]
    if not labels:
        return "—"
    return "".join(f'<span class="fl-level">{escape(label)}</span> ' for label in labels)


@lru_cache(maxsize=8)
def _row_markup(language: str | None) -> str:
    """One row with its column labels in place; ``{0}``… are the row's own (escaped) values."""
    labels = [
        escape(str(label)).replace("{", "{{").replace("}", "}}")
        for label in (_("Head of household"), _("Village or group"), _("Number of people"), _("Phone"), _("Categories"))
    ]
    base = escape(reverse("households:list"))
    return (
        f'<tr><td data-label="{labels[0]}"><a href="{base}{{0}}/">{{1}}</a></td>'
        f'<td data-label="{labels[1]}">{{2}}</td><td data-label="{labels[2]}">{{3}}</td>'
        f'<td data-label="{labels[3]}">{{4}}</td><td data-label="{labels[4]}">{{5}}</td></tr>'
    )


@register.simple_tag
def household_rows(rows: Iterable[tuple[int, str, str, int, str | None, int]]) -> SafeString:
    """The table rows of ``rows``: tuples of ``selectors.LIST_ROW``."""
    language = get_language()
    markup = _row_markup(language)
    erased = escape(_("(erased)"))  # an erased household, in the archived list, has no name left
    return mark_safe(  # noqa: S308 — every value below is escaped or is an int
        "\n".join(
            markup.format(
                int(pk),
                escape(head_name) if head_name else erased,
                escape(place),
                int(members),
                escape(mask_mobile(mobile)) if mobile else "—",
                _category_badges(categories, language),
            )
            for pk, head_name, place, members, mobile, categories in rows
        )
    )
