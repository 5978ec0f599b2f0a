"""Household registry pages: the list with search and export, a household with its members."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fulian.accounts.http import AuthedRequest
from fulian.core.exports import may_export_full
from fulian.core.forms import add_service_errors, record_values
from fulian.core.scoping import can, can_anywhere, get_visible_or_404
from fulian.core.views import reason_page, render_list, requires_somewhere, wants_fragment
from fulian.exports import views as exports_views
from fulian.households import selectors, services
from fulian.households.exports import HOUSEHOLDS
from fulian.households.filters import HouseholdFilter
from fulian.households.forms import HouseholdForm, MemberForm
from fulian.households.models import Household, HouseholdMember
from fulian.households.services import HOUSEHOLD_FIELDS, MEMBER_FIELDS
from fulian.orgs import counts


@requires_somewhere("households.view")
def household_list(request: AuthedRequest) -> HttpResponse:
    """Households in the user's subtree: search by head's name, pinyin, phone or ID; filter."""
    filters = HouseholdFilter.of(request.GET, user=request.user)
    # Only the columns shown are read: not the ID number (nor decrypted), not the notes.
    households = filters.qs.values_list(*selectors.LIST_ROW)
    context = {
        "form": filters.form,
        "can_change": can_anywhere(request.user, "households.change"),
        "can_export_full": may_export_full(request.user, view="households.view", reveal="households.reveal"),
        "total": counts.filtered_total(filters, kind="households"),
        "breakdown": [] if wants_fragment(request) else counts.breakdown("households", request.user, "households.view"),
    }
    return render_list(
        request, "households/household_list.html", "households/_household_results.html", households, context
    )


@requires_somewhere("households.view")
def household_export(request: AuthedRequest) -> HttpResponse:
    """The list as filtered, as .xlsx or .csv; ``full=1`` for full personal data (audited)."""
    return exports_views.export(request, HOUSEHOLDS)


@requires_somewhere("households.change")
def household_create(request: AuthedRequest) -> HttpResponse:
    form = HouseholdForm(request.POST or None, user=request.user, initial={"org": request.GET.get("org", "")})
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(
                actor=request.user,
                org=form.cleaned_data["org"],
                values=record_values(form, HOUSEHOLD_FIELDS, editing=False),
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Registered the household of %(name)s.") % {"name": household.head_name})
            return redirect("households:detail", pk=household.pk)
    return render(request, "households/household_form.html", {"form": form}, status=400 if form.errors else 200)


def _household(request: AuthedRequest, pk: int, action: str | None = None) -> Household:
    """One household in the user's subtree, current or archived (its page shows its history)."""
    return get_visible_or_404(
        Household.objects.with_archived().select_related("org", "archived_by"), request.user, pk=pk, action=action
    )


def _member(request: AuthedRequest, pk: int, action: str) -> HouseholdMember:
    return get_visible_or_404(
        HouseholdMember.objects.with_archived().select_related("org", "household"), request.user, pk=pk, action=action
    )


def _detail(request: AuthedRequest, household: Household, member_form: MemberForm, status: int = 200) -> HttpResponse:
    may_change = can(request.user, "households.change", household.org)
    current = household.archived_at is None
    return render(
        request,
        "households/household_detail.html",
        {
            "household": household,
            "members": household.members.order_by("id"),
            "can_change": may_change and current,
            "can_reveal": can(request.user, "households.reveal", household.org) and household.erased_at is None,
            "can_erase": can(request.user, "households.erase", household.org) and household.erased_at is None,
            "restore_url": reverse("households:restore", args=[household.pk])
            if may_change and not current and household.erased_at is None
            else "",
            "member_form": member_form,
        },
        status=status,
    )


def household_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, _household(request, pk), MemberForm())


def household_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    household = _household(request, pk, action="households.change")
    if household.archived_at is not None:
        messages.error(request, _("%(name)s is archived: restore the record before changing it.") % {"name": household})
        return redirect("households:detail", pk=household.pk)
    initial = {k: getattr(household, k) for k in HOUSEHOLD_FIELDS if k not in ("id_number", "mobile")}
    initial["org"] = household.org.code
    if not household.members_count_manual:  # empty: the size keeps following the member list
        initial["members_count"] = None
    form = HouseholdForm(
        request.POST or None,
        user=request.user,
        editing=True,
        initial=initial,
        stored={"id_number": household.id_number_masked, "mobile": household.mobile_masked},
    )
    if not household.members_count_manual:  # the count it follows, greyed in the empty box
        form.fields["members_count"].widget.attrs["placeholder"] = str(household.members_count)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(
                actor=request.user,
                household=household,
                org=form.cleaned_data["org"],
                values=record_values(form, HOUSEHOLD_FIELDS, editing=True),
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("households:detail", pk=household.pk)
    return render(
        request,
        "households/household_form.html",
        {"form": form, "household": household, "can_reveal": can(request.user, "households.reveal", household.org)},
        status=400 if form.errors else 200,
    )


@require_POST
def household_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    """The full ID or phone number (``field`` posted), in place of the masked one; audited."""
    household = _household(request, pk, action="households.reveal")
    field = request.POST.get("field", "")
    if field not in ("id_number", "mobile"):
        return HttpResponse(status=400)
    value = services.household_reveal(actor=request.user, obj=household, field=field)
    return render(request, "includes/revealed.html", {"value": value})


@require_POST
def member_create(request: AuthedRequest, pk: int) -> HttpResponse:
    household = _household(request, pk, action="households.change")
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            member = services.member_add(
                actor=request.user, household=household, values=record_values(form, MEMBER_FIELDS, editing=False)
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": member.name})
            return redirect("households:detail", pk=household.pk)
    return _detail(request, household, form, status=400)


def member_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    member = _member(request, pk, action="households.change")
    if member.archived_at is not None:
        messages.error(
            request, _("%(name)s is archived: restore the record before changing it.") % {"name": member.household}
        )
        return redirect("households:detail", pk=member.household_id)
    initial = {k: getattr(member, k) for k in MEMBER_FIELDS if k != "id_number"}
    form = MemberForm(request.POST or None, initial=initial, stored={"id_number": member.id_number_masked})
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(
                actor=request.user, member=member, values=record_values(form, MEMBER_FIELDS, editing=True)
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("households:detail", pk=member.household_id)
    context = {"form": form, "member": member, "can_reveal": can(request.user, "households.reveal", member.org)}
    return render(request, "households/member_form.html", context, status=400 if form.errors else 200)


@require_POST
def member_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    member = _member(request, pk, action="households.change")
    household_id = member.household_id
    try:
        services.member_remove(actor=request.user, member=member)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Removed %(name)s from the household.") % {"name": member.name})
    return redirect("households:detail", pk=household_id)


@require_POST
def member_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    member = _member(request, pk, action="households.reveal")
    value = services.household_reveal(actor=request.user, obj=member, field="id_number")
    return render(request, "includes/revealed.html", {"value": value})


def household_archive(request: AuthedRequest, pk: int) -> HttpResponse:
    """Archive a household with its members, with a reason."""
    household = _household(request, pk, action="households.change")
    return reason_page(
        request,
        act=lambda reason: services.household_archive(actor=request.user, household=household, reason=reason),
        title=_("Archive the household of %(name)s") % {"name": household},
        subject=str(household),
        back_url=reverse("households:detail", args=[household.pk]),
        consequences=[
            _("The household and its members leave every list, search and export; its page stays, marked archived."),
            _("The record can be restored, with a reason."),
        ],
        button=_("Archive"),
        done=_("The household of %(name)s is archived.") % {"name": household},
        help_text=_("Such as: the family moved to the county town in 2025."),
    )


def household_restore(request: AuthedRequest, pk: int) -> HttpResponse:
    household = _household(request, pk, action="households.change")
    return reason_page(
        request,
        act=lambda reason: services.household_restore(actor=request.user, household=household, reason=reason),
        title=_("Restore the household of %(name)s") % {"name": household},
        subject=str(household),
        back_url=reverse("households:detail", args=[household.pk]),
        consequences=[_("The household and its members are back on the lists.")],
        button=_("Restore"),
        done=_("The household of %(name)s is restored.") % {"name": household},
    )


def household_erase(request: AuthedRequest, pk: int) -> HttpResponse:
    """Erase a household for good (a personal-information deletion request): administrators
    only, confirmed by typing the reason."""
    household = _household(request, pk, action="households.erase")
    return reason_page(
        request,
        act=lambda reason: services.household_erase(actor=request.user, household=household, reason=reason),
        title=_("Erase the household of %(name)s for good") % {"name": household},
        subject=str(household),
        back_url=reverse("households:detail", args=[household.pk]),
        consequences=[
            _("Its members are deleted."),
            _("The head's name, ID number, phone, address, categories and notes are destroyed."),
            _("The audit log records the erasure with the masked name and your reason."),
            _("This cannot be undone."),
        ],
        button=_("Erase for good"),
        done=_("The record is erased."),
        help_text=_("Type the reason, such as the date and reference of the deletion request. Do not write names."),
        danger=True,
    )
