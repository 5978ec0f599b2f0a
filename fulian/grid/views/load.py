"""Grid pages: the load of the 执委 (households each, the organisation's rule) and the
suggested assignment that fills a village's gaps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.core.forms import FreeTextFormMixin, add_service_errors
from fulian.core.scoping import can, get_visible_or_404
from fulian.grid import coverage
from fulian.grid.choices import Mode
from fulian.grid.load import as_chart, load_figures, load_rule_set, rule_for
from fulian.grid.models import LoadRule
from fulian.grid.suggest import Row, RowsRefused, suggest, suggestion_confirm, village_posts
from fulian.households.models import Household
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation


def _org(request: HttpRequest, pk: int, action: str) -> Organisation:
    return get_visible_or_404(Organisation.objects, request.user, action=action, pk=pk)


def assignments_url(person_id: int | None) -> str | None:
    """The assignment list narrowed to one 执委 (its ``person`` filter), when that page exists:
    None otherwise, and the link is left out."""
    try:
        return f"{reverse('grid:assignment_list')}?{urlencode({'person': person_id or ''})}"
    except NoReverseMatch:
        return None


def load_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The load of the 执委 of an organisation's subtree: distribution, most and least loaded,
    those under the minimum and over the maximum of its rule, those with no assignment."""
    org = _org(request, pk, "grid.view")
    figures = load_figures(org)
    for load in [*figures.most, *figures.least, *figures.under_min, *figures.over_max, *figures.unassigned]:
        load.assignments_url = assignments_url(load.person_id)  # type: ignore[attr-defined]
    context = {
        "org": org,
        "figures": figures,
        "chart": as_chart(figures),
        "can_assign": can(request.user, "grid.assign", org),
        "is_village": org.level == Level.VILLAGE,
        "parent": org.parent if org.parent is not None and can(request.user, "grid.view", org.parent) else None,
        # A closer look, one level down (groups have no 执委 of their own).
        "children": list(Organisation.objects.filter(parent=org).exclude(level=Level.GROUP).order_by("code")),
        "has_assignments": assignments_url(None) is not None,
    }
    return render(request, "grid/load.html", context)


class LoadRuleForm(FreeTextFormMixin, forms.Form):
    min_households = forms.IntegerField(
        label=gettext_lazy("At least (households each)"),
        min_value=1,
        max_value=10000,
        help_text=gettext_lazy("1+10+N: each executive member keeps in touch with at least this many households."),
    )
    max_households = forms.IntegerField(
        label=gettext_lazy("At most (households each)"),
        min_value=1,
        max_value=10000,
        required=False,
        help_text=gettext_lazy("Leave empty for no maximum."),
    )


def load_rule(request: HttpRequest, pk: int) -> HttpResponse:
    """Set an organisation's load rule (its subtree follows it unless one below sets its own)."""
    org = _org(request, pk, "grid.assign")
    rule = rule_for(org)
    initial = {"min_households": rule.min_households, "max_households": rule.max_households}
    form = LoadRuleForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            load_rule_set(
                actor=request.user,
                org=org,
                min_households=form.cleaned_data["min_households"],
                max_households=form.cleaned_data["max_households"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The load rule of %(org)s is saved.") % {"org": org.display_name})
            return redirect("grid:load", pk=org.pk)
    context = {
        "org": org,
        "form": form,
        "rule": rule,
        "own": LoadRule.objects.filter(org=org).exists(),
    }
    return render(request, "grid/load_rule.html", context, status=400 if form.errors else 200)


@dataclass
class Choice:
    key: str
    label: str
    checked: bool


@dataclass
class RowView:
    """One row of the suggestion's table, as shown (and as sent back, on an error)."""

    index: int
    post_id: int | None
    mode: str
    choices: list[Choice]
    households: int = 0
    partner: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def whole_group(self) -> bool:
        return len(self.choices) == 1 and self.choices[0].key.startswith("g")


def _key(target: Any) -> str:
    return f"g{target.pk}" if isinstance(target, Organisation) else f"h{target.pk}"


def _label(target: Any, households: int, groups: dict[int, str]) -> str:
    if isinstance(target, Organisation):
        return _("%(group)s, whole group (%(n)d households)") % {"group": target.display_name, "n": households}
    place = groups.get(target.group_id) if target.group_id else _("in no group")
    return f"{target.head_name} · {place}"


def _rows_shown(rows: list[Row], groups: dict[int, str]) -> list[RowView]:
    return [
        RowView(
            index=index,
            post_id=row.post.pk if row.post else None,
            mode=row.mode,
            choices=[Choice(_key(t), _label(t, row.households, groups), True) for t in row.targets],
            households=row.households,
        )
        for index, row in enumerate(rows)
    ]


class SuggestionForm(FreeTextFormMixin, forms.Form):
    start_date = forms.DateField(
        label=gettext_lazy("Responsible from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _read_rows(request: HttpRequest, village: Organisation, posts: dict[int, Any]) -> tuple[list[RowView], list[Row]]:
    """The rows sent back: what is shown again (values kept), and what is confirmed."""
    try:
        count = min(int(request.POST.get("rows", "0")), 500)
    except ValueError:
        count = 0
    offered = {i: request.POST.getlist(f"row-{i}-offered")[:1000] for i in range(count)}
    keys = {key for keys in offered.values() for key in keys}
    group_ids = [int(k[1:]) for k in keys if k[:1] == "g" and k[1:].isdigit()]
    household_ids = [int(k[1:]) for k in keys if k[:1] == "h" and k[1:].isdigit()]
    names = dict(Organisation.objects.filter(parent=village, level=Level.GROUP).values_list("pk", "display_name"))
    groups = {g.pk: g for g in Organisation.objects.filter(parent=village, level=Level.GROUP, pk__in=group_ids)}
    households = {
        h.pk: h for h in Household.objects.filter(village_id=village.pk, archived_at__isnull=True, pk__in=household_ids)
    }
    sizes = dict(
        Household.objects.filter(group_id__in=list(groups), archived_at__isnull=True)
        .order_by()
        .values_list("group_id")
        .annotate(n=Count("pk"))
    )
    shown, rows = [], []
    for i in range(count):
        checked = set(request.POST.getlist(f"row-{i}-targets"))
        targets: list[Any] = []
        choices = []
        errors = []
        for key in offered[i]:
            target = (groups if key[:1] == "g" else households).get(int(key[1:])) if key[1:].isdigit() else None
            if target is None:
                errors.append(
                    _("A household or group of this row is no longer in %(village)s.")
                    % {"village": village.display_name}
                )
                continue
            n = sizes.get(target.pk, 0) if isinstance(target, Organisation) else 1
            choices.append(Choice(key, _label(target, n, names), key in checked))
            if key in checked:
                targets.append(target)
        post_raw = request.POST.get(f"row-{i}-post", "")
        post = posts.get(int(post_raw)) if post_raw.isdigit() else None
        mode = request.POST.get(f"row-{i}-mode", "")
        partner = request.POST.get(f"row-{i}-partner", "")[:200]
        if post is None and targets:
            errors.append(_("Choose the executive member."))
        if mode not in Mode.values and targets:
            errors.append(_("Choose how she takes responsibility."))
        households_n = sum(sizes.get(t.pk, 0) if isinstance(t, Organisation) else 1 for t in targets)
        view = RowView(i, post.pk if post else None, mode, choices, households_n, partner, errors)
        shown.append(view)
        rows.append(Row(post, targets if post is not None else [], mode, households_n, partner))
    return shown, rows


def suggest_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The suggested assignment of a village's uncovered households, as an editable table; one
    POST confirms every row, all or nothing."""
    village = _org(request, pk, "grid.assign")
    if village.level != Level.VILLAGE:
        raise Http404(_("Suggestions are made for a village."))
    posts = {post.pk: post for post in village_posts(village)}
    suggestion = None
    status = 200
    if request.method == "POST":
        form = SuggestionForm(request.POST)
        shown, rows = _read_rows(request, village, posts)
        if not shown:
            form.add_error(None, _("Nothing to confirm: every row is empty."))
        elif form.is_valid() and not any(view.errors for view in shown):
            try:
                made = suggestion_confirm(
                    actor=request.user, village=village, rows=rows, start_date=form.cleaned_data["start_date"]
                )
            except RowsRefused as refused:
                for message in refused.general:
                    form.add_error(None, message)
                for index, errors in refused.rows.items():
                    shown[index].errors.extend(errors)
            else:
                messages.success(
                    request,
                    _("%(n)d assignments made in %(village)s.") % {"n": len(made), "village": village.display_name},
                )
                return redirect("grid:suggest", pk=village.pk)
        if any(view.errors for view in shown):
            form.add_error(None, _("Nothing was saved: correct the rows marked below."))
        status = 400
    else:
        suggestion = suggest(village)
        shown = _rows_shown(suggestion.rows, {g.pk: g.display_name for g in suggestion.groups})
        form = SuggestionForm(initial={"start_date": coverage.today()})
    whole, _parts = coverage.figures(village)
    before = suggestion.before if suggestion else {}
    after = suggestion.after if suggestion else {}
    people = [
        {
            "post": post,
            "before": before.get(post.person_id),
            "after": after.get(post.person_id),
            "home": post.person.org.display_name if post.person.org_id != village.pk else "",
        }
        for post in posts.values()
    ]
    context = {
        "village": village,
        "form": form,
        "rows": shown,
        "suggestion": suggestion,
        "posts": list(posts.values()),
        "people": people,
        "modes": Mode.choices,
        "figure": whole,
        "load_url": reverse("grid:load", kwargs={"pk": village.pk}),
    }
    return render(request, "grid/suggest.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("load/<int:pk>/", load_page, name="load"),
    path("load/<int:pk>/rule/", load_rule, name="load_rule"),
    path("suggest/<int:pk>/", suggest_page, name="suggest"),
]
