"""The staff side of the ledger: awarding or deducting points by hand (a second reviewer above the
scheme's threshold), the claims waiting for that review, an entry's page with its provenance and
its reversal, and the reconciliation of the user's subtree. Every read goes through
``visible_to``; every write through ``fulian.points.services.manual``."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fulian.accounts.http import AuthedRequest
from fulian.core.filters import MAX_ID
from fulian.core.forms import Form, add_service_errors
from fulian.core.scoping import AnyUser, can, get_visible_or_404, grants_for
from fulian.core.views import render_list, requires_somewhere
from fulian.grid.coverage import today
from fulian.households.models import Household, HouseholdMember, HouseholdQuerySet
from fulian.orgs.models import Organisation
from fulian.people.models import Person, PersonQuerySet
from fulian.points.choices import ClaimStatus, EntryKind, HolderKind
from fulian.points.ledger_forms import (
    HOUSEHOLD_PREFIX,
    PERSON_PREFIX,
    ClaimFilterForm,
    ConfirmForm,
    Holder,
    PostForm,
    ReasonForm,
    ReconcileForm,
    holder_label,
    holder_value,
)
from fulian.points.models import Account, Claim, Entry
from fulian.points.reconciling import difference_rows
from fulian.points.services import ledger, manual
from fulian.points.services.earning import version_for
from fulian.points.services.holders import holds
from fulian.points.services.reconcile import reconcile as run_reconcile

# Holders found by one search (people, and as many households).
FOUND_MAX = 10
SEARCH_MAX_LENGTH = 50


# --- awarding or deducting by hand --------------------------------------------------------


def _people(user: AnyUser) -> PersonQuerySet:
    return Person.objects.visible_to(user, "points.post").select_related("org")


def _households(user: AnyUser) -> HouseholdQuerySet:
    return Household.objects.visible_to(user, "points.post").select_related("org")


def _holder(user: AnyUser, value: str) -> Holder | None:
    """A person (``p12``) or household (``h34``) in the user's scope, by the form's value."""
    value = (value or "").strip()
    digits = value[1:]
    if not (digits.isascii() and digits.isdigit() and int(digits) <= MAX_ID):
        return None
    if value[0] == PERSON_PREFIX:
        return _people(user).filter(pk=int(digits)).first()
    if value[0] == HOUSEHOLD_PREFIX:
        return _households(user).filter(pk=int(digits)).first()
    return None


def _their_households(user: AnyUser, people: list[Person]) -> dict[int, Household]:
    """The household of each person found, when the registry knows her by ID number and the
    household is in the user's scope (the one she heads, else one she is a member of)."""
    hashes = {p.id_hash: p.pk for p in people if p.id_hash}
    if not hashes:
        return {}
    found: dict[int, Household] = {}
    for household in _households(user).filter(id_hash__in=hashes):
        found[hashes[household.id_hash or ""]] = household
    rest = [h for h, pk in hashes.items() if pk not in found]
    if rest:
        visible = _households(user).values("pk")
        members = HouseholdMember.objects.filter(
            id_hash__in=rest, archived_at__isnull=True, household__in=visible
        ).select_related("household__org")
        for member in members:
            found.setdefault(hashes[member.id_hash or ""], member.household)
    return found


def _found(user: AnyUser, text: str) -> list[tuple[Holder, str]]:
    """People and households of the user's scope whose name (or pinyin, ``zth``) starts so; each
    person followed by her household. (holder, label)"""
    text = text.strip()[:SEARCH_MAX_LENGTH]
    if not text:
        return []
    people = list(_people(user).search(text).order_by("name", "id")[:FOUND_MAX])
    theirs = _their_households(user, people)
    found: list[tuple[Holder, str]] = []
    for person in people:
        found.append((person, holder_label(person)))
        household = theirs.get(person.pk)
        if household is not None:
            found.append((household, _("%(household)s (her household)") % {"household": holder_label(household)}))
    seen = {holder_value(h) for h, _label in found}
    for household in _households(user).search(text).order_by("head_name", "id")[:FOUND_MAX]:
        if holder_value(household) not in seen:
            found.append((household, holder_label(household)))
    return found


def _threshold_note(user: AnyUser) -> int | None:
    """Above how many points a manual posting waits for a second reviewer, in the scheme that
    applies where the user works (None when no scheme is in force there)."""
    grants = grants_for(user, "points.post")
    if not grants:
        return None
    version = version_for(grants[0].path, today())
    return version.second_review_above if version is not None else manual.DEFAULT_SECOND_REVIEW_ABOVE


@requires_somewhere("points.post")
def post_create(request: AuthedRequest) -> HttpResponse:
    """Award or deduct points by hand (``?holder=p12`` opens it for her). Above the scheme's
    threshold the posting becomes a claim waiting for a second reviewer."""
    user = request.user
    posting = request.method == "POST"
    offered: list[Holder] = []
    labels: dict[str, str] = {}
    chosen = (request.POST if posting else request.GET).get("holder", "").strip()
    if chosen:
        holder = _holder(user, chosen)
        if holder is None and not posting:
            raise Http404(_("Not found."))
        if holder is not None:
            offered.append(holder)
    find = "" if posting else request.GET.get("find", "")
    for holder, label in _found(user, find):
        if holder_value(holder) not in {holder_value(h) for h in offered}:
            offered.append(holder)
            labels[holder_value(holder)] = label
    visible = {holder_value(h): h for h in offered}
    form = PostForm(
        request.POST if posting else None,
        request.FILES if posting else None,
        offered=offered,
        visible=visible,
        labels=labels,
        initial={"key": uuid.uuid4().hex, "occurred_on": today(), "holder": chosen or None},
    )
    if posting and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # an account opened for a refused posting is not kept
                holder = data["holder"]
                account = (
                    ledger.account_for(person=holder)
                    if isinstance(holder, Person)
                    else ledger.account_for(household=holder)
                )
                made = manual.manual_post(
                    actor=user,
                    account=account,
                    amount=form.amount(),
                    reason=data["reason"],
                    occurred_on=data["occurred_on"],
                    evidence=data["evidence"],
                    key=data["key"] or None,
                )
        except PermissionDenied as e:
            form.add_error("holder", str(e))
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            if isinstance(made, Claim):
                messages.success(
                    request,
                    _(
                        "More than %(n)d points: this waits for a second reviewer, and reaches the passbook once "
                        "confirmed."
                    )
                    % {"n": manual.second_review_above(account, made.occurred_on)},
                )
                return redirect("points:claim_detail", pk=made.pk)
            messages.success(
                request, _("%(points)+d points posted to %(holder)s.") % {"points": made.amount, "holder": account}
            )
            return redirect("points:entry_detail", pk=made.pk)
    context = {"form": form, "find": find, "threshold": _threshold_note(user)}
    return render(request, "points/post_form.html", context, status=400 if form.errors else 200)


@require_GET
@requires_somewhere("points.post")
def post_whom(request: AuthedRequest) -> HttpResponse:
    """The people and households found by the form's search (an htmx fragment of choices)."""
    text = request.GET.get("find", "")[:SEARCH_MAX_LENGTH]
    choices = [(holder_value(h), label) for h, label in _found(request.user, text)]
    return render(request, "points/_ledger_found.html", {"choices": choices, "find": text})


# --- claims ---------------------------------------------------------------------------------


def _claims(user: AnyUser) -> QuerySet[Claim]:
    return Claim.objects.visible_to(user).select_related(
        "account__person__org", "account__household__org", "created_by", "decided_by", "rule__version__scheme"
    )


@requires_somewhere("points.post")
def claim_list(request: AuthedRequest) -> HttpResponse:
    """The claims of the user's scope, those waiting for a second review first (the default)."""
    form = ClaimFilterForm(request.GET or None)
    rows = _claims(request.user).filter(pk__in=Claim.objects.visible_to(request.user, "points.post").values("pk"))
    status = ClaimStatus.PENDING.value
    search = ""
    if form.is_bound and form.is_valid():
        status = form.cleaned_data["status"] or status
        search = form.cleaned_data["search"].strip()
    if status != ClaimFilterForm.ALL:
        rows = rows.filter(status=status)
    if search:
        rows = rows.filter(
            Q(account__person__in=Person.objects.search(search).values("pk"))
            | Q(account__household__in=Household.objects.search(search).values("pk"))
        )
    context = {"form": form, "status": status, "user_pk": request.user.pk}
    return render_list(request, "points/claim_list.html", "points/_ledger_claims.html", rows.order_by("-id"), context)


def _claim(request: AuthedRequest, pk: int) -> Claim:
    return get_visible_or_404(_claims(request.user), request.user, pk=pk)


def _claim_page(request: AuthedRequest, claim: Claim, bound: dict[str, Form] | None = None) -> HttpResponse:
    user = request.user
    decides = claim.status == ClaimStatus.PENDING and can(user, "points.post", claim.org)
    asked = claim.created_by_id is not None and claim.created_by_id == user.pk
    forms: dict[str, Form] = {
        "confirm": ConfirmForm(),
        "refuse": ReasonForm(help_text=_("She who asked sees it on the claim.")),
        **(bound or {}),
    }
    context = {
        "claim": claim,
        "entry": Entry.objects.filter(claim=claim, kind__in=(EntryKind.EARN, EntryKind.DEDUCT)).first(),
        "decides": decides,
        "asked": asked,
        "forms": forms,
        "threshold": manual.second_review_above(claim.account, claim.occurred_on),
        "passbook_url": _passbook_url(claim.account),
    }
    return render(request, "points/claim_detail.html", context, status=400 if bound else 200)


@require_GET
def claim_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _claim_page(request, _claim(request, pk))


@require_POST
def claim_confirm(request: AuthedRequest, pk: int) -> HttpResponse:
    """The second reviewer confirms: the entry is posted (not by who asked, nor the holder)."""
    claim = _claim(request, pk)
    form = ConfirmForm(request.POST)
    try:
        entry = manual.claim_confirm(actor=request.user, claim=claim)
    except PermissionDenied as e:
        if not can(request.user, "points.post", claim.org):
            raise
        form.add_error(None, str(e))
    except ValidationError as e:
        add_service_errors(form, e)
    else:
        messages.success(request, _("Confirmed: %(points)+d points posted.") % {"points": entry.amount})
        return redirect("points:entry_detail", pk=entry.pk)
    return _claim_page(request, claim, {"confirm": form})


@require_POST
def claim_refuse(request: AuthedRequest, pk: int) -> HttpResponse:
    """The second reviewer refuses, with a reason: nothing is posted."""
    claim = _claim(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            manual.claim_refuse(actor=request.user, claim=claim, reason=form.cleaned_data["reason"])
        except PermissionDenied as e:
            if not can(request.user, "points.post", claim.org):
                raise
            form.add_error(None, str(e))
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Refused: nothing was posted."))
            return redirect("points:claim_detail", pk=claim.pk)
    return _claim_page(request, claim, {"refuse": form})


@require_GET
def claim_evidence(request: AuthedRequest, pk: int) -> FileResponse:
    """A claim's evidence photo, for those who may see the claim (media is never served directly)."""
    return _photo(_claim(request, pk).evidence)


# --- entries --------------------------------------------------------------------------------


def _entry(request: AuthedRequest, pk: int) -> Entry:
    """An entry of the user's scope, or one of her own (404 otherwise, never a 403)."""
    rows = Entry.objects.select_related(
        "account__person__org",
        "account__household__org",
        "rule__category",
        "version__scheme",
        "created_by",
        "confirmed_by",
        "reverses",
        "claim",
        "contact",
        "award",
        "order__item",
    )
    try:
        return get_visible_or_404(rows, request.user, pk=pk)
    except Http404:
        # Her own entry (or her household's), linked from her passbook, whatever her roles.
        own = rows.filter(pk=pk).first()
        if own is not None and holds(request.user, own.account):
            return own
        raise


def _url(name: str, pk: Any) -> str | None:
    """The page of a record another part of the project serves, if it has one."""
    try:
        return reverse(name, kwargs={"pk": pk})
    except NoReverseMatch:
        return None


def _passbook_url(account: Account) -> str | None:
    return _url("points:account_detail", account.pk)


def _source(entry: Entry) -> tuple[str, str | None] | None:
    """The record the entry was posted from, and a link to its page."""
    if entry.contact_id:
        contact: Any = entry.contact
        return _("Duty record no. %(n)s of %(day)s") % {
            "n": contact.pk,
            "day": contact.happened_on.isoformat(),
        }, _url("grid:contact_detail", contact.pk)
    if entry.award_id:
        award: Any = entry.award
        return _("%(title)s (certificate %(no)s)") % {"title": award.title, "no": award.certificate_no}, _url(
            "campaigns:award_detail", award.pk
        )
    if entry.order_id:
        order: Any = entry.order
        return _("Order no. %(n)s: %(item)s × %(q)s") % {"n": order.pk, "item": order.item, "q": order.quantity}, _url(
            "points:order_detail", order.pk
        )
    if entry.claim_id:
        return _("Claim no. %(n)s (second review)") % {"n": entry.claim_id}, reverse(
            "points:claim_detail", kwargs={"pk": entry.claim_id}
        )
    return None


def _entry_page(request: AuthedRequest, entry: Entry, bound: Form | None = None) -> HttpResponse:
    reversal = Entry.objects.filter(reverses=entry).only("pk", "amount", "posted_at").first()
    reversible = entry.kind in (EntryKind.EARN, EntryKind.DEDUCT) and reversal is None
    context = {
        "entry": entry,
        "reversal": reversal,
        "source": _source(entry),
        "may_reverse": reversible and can(request.user, "points.post", entry.org),
        "form": bound or ReasonForm(help_text=_("It shows in the passbook beside the reversal.")),
        "passbook_url": _passbook_url(entry.account),
        "holder_kind": HolderKind(entry.account.kind).label,
    }
    return render(request, "points/entry_detail.html", context, status=400 if bound is not None else 200)


@require_GET
def entry_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """An entry: what, when, who entered or confirmed it, its source, rule and version, evidence."""
    return _entry_page(request, _entry(request, pk))


@require_POST
def entry_reverse(request: AuthedRequest, pk: int) -> HttpResponse:
    """Take an entry back (冲正) with a reason: a reversal, never an edit."""
    entry = _entry(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            reversal = manual.entry_reverse(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
        except PermissionDenied as e:
            if not can(request.user, "points.post", entry.org):
                raise
            form.add_error(None, str(e))
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Reversed: %(points)+d points.") % {"points": reversal.amount})
            return redirect("points:entry_detail", pk=reversal.pk)
    return _entry_page(request, entry, form)


@require_GET
def entry_evidence(request: AuthedRequest, pk: int) -> FileResponse:
    """An entry's evidence photo, for those who may see the entry."""
    return _photo(_entry(request, pk).evidence)


def _photo(field: Any) -> FileResponse:
    if not field:
        raise Http404(_("Not found."))
    response = FileResponse(field.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- reconciliation -------------------------------------------------------------------------


@require_GET
@requires_somewhere("points.reconcile")
def reconcile(request: AuthedRequest) -> HttpResponse:
    """Check the balances and stock of the user's subtree (or an organisation below): every
    balance equals the sum of its entries, every stock its movements. Runs when asked (``run``)."""
    user = request.user
    form = ReconcileForm(request.GET if "run" in request.GET else None, user=user)
    result = None
    org: Organisation | None = None
    if form.is_bound and form.is_valid():
        org = form.cleaned_data.get("org")
        if org is None:
            grant = grants_for(user, "points.reconcile")[0]
            org = Organisation.objects.get(pk=grant.org_id)
        result = run_reconcile(org=org)
    context = {
        "form": form,
        "result": result,
        "org": org,
        "rows": difference_rows(result.differences) if result is not None else [],
    }
    return render(request, "points/reconcile.html", context, status=400 if form.errors else 200)


urlpatterns: list[URLPattern] = [
    path("post/", post_create, name="post"),
    path("post/whom/", post_whom, name="post_whom"),
    path("claims/", claim_list, name="claim_list"),
    path("claims/<int:pk>/", claim_detail, name="claim_detail"),
    path("claims/<int:pk>/confirm/", claim_confirm, name="claim_confirm"),
    path("claims/<int:pk>/refuse/", claim_refuse, name="claim_refuse"),
    path("claims/<int:pk>/evidence/", claim_evidence, name="claim_evidence"),
    path("entries/<int:pk>/", entry_detail, name="entry_detail"),
    path("entries/<int:pk>/reverse/", entry_reverse, name="entry_reverse"),
    path("entries/<int:pk>/evidence/", entry_evidence, name="entry_evidence"),
    path("reconcile/", reconcile, name="reconcile"),
]
