"""Duties pages: the work modes (工作模式), the city federation's list. Everyone who sees duties
reads it; the city's administrators add, rename, retire, bring back and reorder modes through
``fulian.duties.services.modes``. Every change is a POST to the one page, naming the mode in its
body (a mode is not scoped: there is no object page to guard)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.accounts.http import AuthedRequest
from fulian.core.filters import MAX_ID
from fulian.core.forms import Form, add_service_errors
from fulian.core.views import requires_somewhere
from fulian.duties.services import modes as service
from fulian.grid.models import WorkMode

ACTIONS = ("add", "rename", "retire", "restore", "up", "down")


class ModeForm(Form):
    """A mode's names: Chinese (required, as the pages show it) and English (optional)."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=service.NAME_MAX_LENGTH)
    name_en = forms.CharField(label=gettext_lazy("Name in English"), max_length=60, required=False)


def _mode(post: Any, modes: list[WorkMode]) -> WorkMode | None:
    text = str(post.get("mode", "")).strip()
    if not (text.isascii() and text.isdigit() and int(text) <= MAX_ID):
        return None
    return next((m for m in modes if m.pk == int(text)), None)


def _moved(modes: list[WorkMode], mode: WorkMode, step: int) -> list[int] | None:
    """The ids in their new order with ``mode`` one place up (-1) or down (+1); None at an end."""
    ids = [m.pk for m in modes]
    at = ids.index(mode.pk)
    to = at + step
    if not 0 <= to < len(ids):
        return None
    ids[at], ids[to] = ids[to], ids[at]
    return ids


def _act(request: AuthedRequest, action: str, mode: WorkMode | None, modes: list[WorkMode]) -> tuple[str, Any]:
    """Do one change; (what to say, the form with its errors when it was refused)."""
    user = request.user
    if action == "add":
        form = ModeForm(request.POST, prefix="add")
        if form.is_valid():
            try:
                created = service.mode_create(
                    actor=user, name=form.cleaned_data["name"], name_en=form.cleaned_data["name_en"]
                )
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                return _("Added %(name)s.") % {"name": created.name}, None
        return "", form
    if mode is None:
        return "", _("Choose a work mode of the list.")
    if action == "rename":
        form = ModeForm(request.POST, prefix=f"m{mode.pk}")
        if form.is_valid():
            try:
                service.mode_update(
                    actor=user,
                    mode=mode,
                    name=form.cleaned_data["name"],
                    name_en=form.cleaned_data["name_en"],
                    active=mode.active,
                )
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                return _("Saved %(name)s.") % {"name": form.cleaned_data["name"].strip()}, None
        return "", form
    if action in ("retire", "restore"):
        try:
            service.mode_update(actor=user, mode=mode, name=mode.name, name_en=mode.name_en, active=action == "restore")
        except ValidationError as e:
            return "", " ".join(e.messages)
        if action == "retire":
            return _("%(name)s is retired: kept on its records, no longer offered.") % {"name": mode.name}, None
        return _("%(name)s is offered again.") % {"name": mode.name}, None
    order = _moved(modes, mode, -1 if action == "up" else 1)
    if order is None:
        return "", _("%(name)s is already at that end of the list.") % {"name": mode.name}
    service.modes_reorder(actor=user, ids=order)
    return _("Moved %(name)s.") % {"name": mode.name}, None


@requires_somewhere("duties.view")
def mode_list(request: AuthedRequest) -> HttpResponse:
    """The work modes in their order, in use or retired; for the city's administrators, the
    forms that change them (a refusal is shown beside the field, with the values kept)."""
    may_configure = service.may_configure(request.user)
    modes = list(WorkMode.objects.all())
    forms_by_mode: dict[int, ModeForm] = {}
    add_form = ModeForm(prefix="add")
    problem = ""
    if request.method == "POST":
        if not may_configure:
            raise PermissionDenied(_("The work modes are kept by the city federation's administrators."))
        action = request.POST.get("action", "")
        mode = _mode(request.POST, modes)
        if action not in ACTIONS:
            problem = _("Unknown change.")
        else:
            done, refused = _act(request, action, mode, modes)
            if done:
                messages.success(request, done)
                return redirect("duties:modes")
            if isinstance(refused, ModeForm) and action == "add":
                add_form = refused
            elif isinstance(refused, ModeForm) and mode is not None:
                forms_by_mode[mode.pk] = refused
            else:
                problem = str(refused)
    rows = [
        {
            "mode": m,
            "form": forms_by_mode.get(m.pk)
            or ModeForm(prefix=f"m{m.pk}", initial={"name": m.name, "name_en": m.name_en}),
            "first": i == 0,
            "last": i == len(modes) - 1,
        }
        for i, m in enumerate(modes)
    ]
    context = {"rows": rows, "add_form": add_form, "may_configure": may_configure, "problem": problem}
    failed = bool(problem or add_form.errors or forms_by_mode)
    return render(request, "duties/modes.html", context, status=400 if failed else 200)


urlpatterns: list[URLPattern] = [path("modes/", mode_list, name="modes")]
