"""The points passbook (积分存折): a holder's own on her phone (``/points/``), with her household's
on a second tab; the accounts of staff's area (``/points/accounts/``), searchable, filtered in
the URL and exported; one account's passbook, printable on A4 and exported.

A holder opens her own accounts (``holders.holds``) whatever her roles; everyone else sees the
accounts of their subtree (``Account.objects.visible_to``); anything else is a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fulian.accounts.http import AuthedRequest
from fulian.campaigns.qr import svg
from fulian.core.filters import MAX_ID
from fulian.core.paging import page_of
from fulian.core.scoping import can_anywhere, get_visible_or_404
from fulian.core.views import requires_somewhere, wants_fragment
from fulian.exports import views as export_views
from fulian.grid import coverage
from fulian.points import passbook_reads as reads
from fulian.points import selectors
from fulian.points.choices import HolderKind
from fulian.points.exports import ACCOUNTS, holder_name, passbook_response
from fulian.points.models import Account, Entry
from fulian.points.passbook_filters import AccountFilter
from fulian.points.services import holders
from fulian.points.services.earning import version_for

VIEW = "points.view"
ENTRIES_PER_PAGE = 30
# A year of one holder's entries on paper or in a file: a 执委 posts a few hundred a year.
YEAR_MAX_ENTRIES = 5_000
FIRST_YEAR = 2000


def _accounts() -> QuerySet[Account]:
    return Account.objects.select_related("person", "household", "org", "village", "township")


def account_of(request: AuthedRequest, pk: int) -> Account:
    """An account the user holds, or one of her area; 404 otherwise (never a 403 that says it exists)."""
    if pk > MAX_ID:
        raise Http404(_("Not found."))
    account = _accounts().filter(pk=pk).first()
    if account is not None and holders.holds(request.user, account):
        return account
    return get_visible_or_404(_accounts(), request.user, pk=pk)


def _year(request: AuthedRequest, default: int | None) -> int | None:
    """``?year=``: a year from 2000 to this one; anything else is the default."""
    text = request.GET.get("year", "").strip()
    this_year = coverage.today().year
    if text.isascii() and text.isdigit() and FIRST_YEAR <= int(text) <= this_year:
        return int(text)
    return default


def _passbook(request: AuthedRequest, account: Account, *, own: list[Account]) -> HttpResponse:
    today = coverage.today()
    earned_this_year = reads.year_earned(account, today.year)
    version = version_for(account.org.path, today)
    level = selectors.level_for(version, account.earned)
    next_level = version.levels.filter(threshold__gt=account.earned).order_by("threshold").first() if version else None
    entries = account.entries.select_related("reverses", "reversed_by").order_by("-id")
    page = page_of(entries, request.GET, ENTRIES_PER_PAGE)
    reads.source_links(request.user, page.items)
    held = any(a.pk == account.pk for a in own)
    context: dict[str, Any] = {
        "account": account,
        "holder": holder_name(account),
        "year": today.year,
        "earned_this_year": earned_this_year,
        "level": level,
        "next_level": next_level,
        "to_next": next_level.threshold - account.earned if next_level else None,
        "places": reads.places(account, today.year, earned_this_year),
        "page": page,
        "tabs": own if held and len(own) > 1 else [],
        "held": held,
        "can_list": can_anywhere(request.user, VIEW),
        "qr": svg(request.build_absolute_uri(reads.counter_url(account))) if held else "",
        "years": list(range(today.year, max(FIRST_YEAR, today.year - 4) - 1, -1)),
    }
    return render(request, "points/passbook.html", context)


@require_GET
def mine(request: AuthedRequest) -> HttpResponse:
    """Her own passbook; staff with no person on the books land on the account list."""
    own = holders.own_accounts(request.user)
    if not own:
        if can_anywhere(request.user, VIEW):
            return redirect("points:account_list")
        return render(request, "points/passbook_none.html")
    chosen = own[0]
    if request.GET.get("tab") == HolderKind.HOUSEHOLD and len(own) > 1:
        chosen = own[1]
    chosen = _accounts().get(pk=chosen.pk)
    return _passbook(request, chosen, own=own)


@require_GET
def account_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    account = account_of(request, pk)
    own = holders.own_accounts(request.user) if holders.holds(request.user, account) else []
    return _passbook(request, account, own=own)


def _year_entries(account: Account, year: int | None) -> list[Entry]:
    rows = account.entries.select_related("reverses").order_by("id")
    if year:
        rows = rows.filter(year=year)
    return list(rows[:YEAR_MAX_ENTRIES])


@require_GET
def account_print(request: AuthedRequest, pk: int) -> HttpResponse:
    """A year of the passbook on A4: the entries of the year oldest first, as on paper."""
    account = account_of(request, pk)
    year = _year(request, coverage.today().year)
    entries = _year_entries(account, year)
    context = {
        "account": account,
        "holder": holder_name(account),
        "year": year,
        "entries": entries,
        "opening": entries[0].balance_after - entries[0].amount if entries else None,
        "earned": sum(e.amount for e in entries if e.kind in ("earn", "deduct", "reversal")),
        "spent": -sum(e.amount for e in entries if e.kind in ("redeem", "refund")),
        "printed_on": coverage.today(),
        "truncated": len(entries) >= YEAR_MAX_ENTRIES,
    }
    return render(request, "points/passbook_print.html", context)


@require_GET
def account_export(request: AuthedRequest, pk: int) -> HttpResponse:
    """One passbook as .xlsx: a year (``?year=``), or every entry."""
    account = account_of(request, pk)
    year = _year(request, None)
    return passbook_response(account, _year_entries(account, year), year=year)


@require_GET
@requires_somewhere(VIEW)
def account_list(request: AuthedRequest) -> HttpResponse:
    """The accounts of the user's area: balance, this year's points, level; search and filters
    in the URL; paged without a count."""
    filters = AccountFilter.of(request.GET, user=request.user)
    page = page_of(filters.qs, request.GET)
    levels = filters.scheme_levels()
    for row in page.items:
        row.level = levels.standing(row.org.path, row.earned).level
    context = {"form": filters.form, "page": page, "year": coverage.today().year}
    if not wants_fragment(request):
        return render(request, "points/account_list.html", context)
    response = render(request, "points/_account_results.html", context)
    if filters.form.is_bound and filters.form.errors:
        errors = render_to_string("includes/filter_errors.html", {"form": filters.form}, request=request)
        response.content = errors.encode() + response.content
    return response


@require_GET
@requires_somewhere(VIEW)
def account_list_export(request: AuthedRequest) -> HttpResponse:
    """The list as .xlsx (or .csv): the same filters, the same scope (the export machinery)."""
    return export_views.export(request, ACCOUNTS)


urlpatterns: list[URLPattern] = [
    path("", mine, name="mine"),
    path("accounts/", account_list, name="account_list"),
    path("accounts/export/", account_list_export, name="account_list_export"),
    path("accounts/<int:pk>/", account_detail, name="account_detail"),
    path("accounts/<int:pk>/print/", account_print, name="account_print"),
    path("accounts/<int:pk>/export/", account_export, name="account_export"),
]
