"""Login and logout for everyone; accounts and role grants for the security officer."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from fulian.accounts import services
from fulian.accounts.forms import AccountForm, AccountSearchForm, GrantForm, LoginForm, OwnPasswordForm, PasswordForm
from fulian.accounts.models import RoleGrant, User
from fulian.core.forms import add_service_errors
from fulian.core.http import AuthedRequest
from fulian.core.scoping import get_visible_or_404
from fulian.core.views import render_list, requires_somewhere

SEEN_COOKIE = "fulian_seen"


@login_not_required
@never_cache
@csrf_protect
def login_view(request: AuthedRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.user.is_authenticated:
        return redirect(next_url or "home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_attempt(
                request=request, identifier=form.cleaned_data["identifier"], password=form.cleaned_data["password"]
            )
        except services.LoginRefused as refused:
            form.add_error(None, refused.message)
        else:
            services.session_login(request=request, user=user)
            response = redirect(next_url or "home")
            # A browser-session cookie that outlives the 30-minute session: when it is present
            # but the session is gone, the login page says the session expired.
            response.set_cookie(SEEN_COOKIE, "1", httponly=True, samesite="Lax")
            return response
    expired = request.method == "GET" and bool(next_url) and request.COOKIES.get(SEEN_COOKIE) == "1"
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": next_url, "expired": expired, "idle_minutes": settings.SESSION_COOKIE_AGE // 60},
    )


@require_POST
def logout_view(request: AuthedRequest) -> HttpResponse:
    services.session_logout(request=request)
    messages.info(request, _("You have logged out."))
    response = redirect("accounts:login")
    response.delete_cookie(SEEN_COOKIE)
    return response


def password_change(request: AuthedRequest) -> HttpResponse:
    """Change one's own password, given the current one (this session stays valid, others end)."""
    form = OwnPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=request.user,
                user=request.user,
                password=form.cleaned_data["password"],
                current_password=form.cleaned_data["current_password"],
            )
        except ValidationError as e:
            request.user.refresh_from_db(fields=["locked_until"])
            if request.user.is_locked:
                # Too many wrong current passwords: this session ends like a locked login.
                services.session_logout(request=request)
                messages.error(request, _("Too many wrong passwords: the account is locked. Try again later."))
                return redirect("accounts:login")
            add_service_errors(form, e)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("home")
    return render(request, "accounts/password.html", {"form": form, "target": None}, status=400 if form.errors else 200)


@requires_somewhere("accounts.manage")
def account_list(request: AuthedRequest) -> HttpResponse:
    form = AccountSearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    users = User.objects.visible_to(request.user).select_related("org").order_by("username")
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__contains=q))
    return render_list(request, "accounts/account_list.html", "accounts/_account_results.html", users, {"form": form})


@requires_somewhere("accounts.manage")
def account_create(request: AuthedRequest) -> HttpResponse:
    form = AccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                org=data["org"],
                password=data["password"],
                mobile=data["mobile"],
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Account %(name)s created.") % {"name": account.username})
            return redirect("accounts:detail", pk=account.pk)
    return render(request, "accounts/account_form.html", {"form": form}, status=400 if form.errors else 200)


@requires_somewhere("accounts.manage")
def account_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_visible_or_404(User.objects.select_related("org"), request.user, pk=pk)
    grant_form = GrantForm(request.POST or None, user=request.user)
    if request.method == "POST" and grant_form.is_valid():
        try:
            services.role_grant(
                actor=request.user,
                user=account,
                org=grant_form.cleaned_data["org"],
                role=grant_form.cleaned_data["role"],
            )
        except ValidationError as e:
            add_service_errors(grant_form, e)
        else:
            messages.success(request, _("Role granted."))
            return redirect("accounts:detail", pk=account.pk)
    grants = RoleGrant.objects.visible_to(request.user).filter(user=account).select_related("org")
    context = {
        "account": account,
        "grants": grants,
        "grant_form": grant_form,
        "password_form": PasswordForm(),
        # Buttons that would be refused are not offered; the reason is shown instead.
        "refusal": services.management_refusal(actor=request.user, user=account),
        "reach_refusal": services.reach_refusal(actor=request.user, user=account),
    }
    return render(request, "accounts/account_detail.html", context, status=400 if grant_form.errors else 200)


@requires_somewhere("accounts.manage")
@require_POST
def grant_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    grant = get_visible_or_404(RoleGrant.objects.select_related("user", "org"), request.user, pk=pk)
    try:
        services.role_revoke(actor=request.user, grant=grant)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Role revoked."))
    return redirect("accounts:detail", pk=grant.user_id)


@requires_somewhere("accounts.manage")
@require_POST
def account_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_visible_or_404(User.objects.select_related("org"), request.user, pk=pk)
    services.user_unlock(actor=request.user, user=account)
    messages.success(request, _("Account unlocked."))
    return redirect("accounts:detail", pk=account.pk)


@requires_somewhere("accounts.manage")
@require_POST
def account_set_active(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_visible_or_404(User.objects.select_related("org"), request.user, pk=pk)
    try:
        services.user_set_active(actor=request.user, user=account, active=request.POST.get("active") == "1")
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("accounts:detail", pk=account.pk)


@requires_somewhere("accounts.manage")
def account_password(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_visible_or_404(User.objects.select_related("org"), request.user, pk=pk)
    if account.pk == request.user.pk:
        # One's own password needs the current one: the page for that asks for it.
        return redirect("accounts:password_change")
    refusal = services.management_refusal(actor=request.user, user=account)
    if refusal is not None:
        raise PermissionDenied(refusal)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(actor=request.user, user=account, password=form.cleaned_data["password"])
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Password set for %(name)s.") % {"name": account.username})
            return redirect("accounts:detail", pk=account.pk)
    return render(
        request, "accounts/password.html", {"form": form, "target": account}, status=400 if form.errors else 200
    )


@require_POST
@requires_somewhere("accounts.reveal_personal")
def account_reveal_mobile(request: AuthedRequest, pk: int) -> HttpResponse:
    """The full mobile number in place of the masked one (htmx); audited by the service."""
    account = get_visible_or_404(User.objects.select_related("org"), request.user, pk=pk)
    mobile = services.user_reveal_mobile(actor=request.user, user=account)
    return render(request, "accounts/_mobile.html", {"mobile": mobile})
