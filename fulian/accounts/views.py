"""Login and logout for everyone; accounts and role grants for the security officer."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from fulian.accounts import services, two_factor
from fulian.accounts.filters import AccountFilter
from fulian.accounts.forms import (
    AccountForm,
    CodeForm,
    EnrolCodeForm,
    GrantForm,
    LoginForm,
    OwnPasswordForm,
    PasswordForm,
)
from fulian.accounts.gate import FACTOR_KEY, FACTOR_TOTP, PENDING_KEY, needs_two_factor
from fulian.accounts.http import AuthedRequest
from fulian.accounts.models import ApiToken, RoleGrant, User
from fulian.core.forms import add_service_errors
from fulian.core.scoping import get_visible_or_404
from fulian.core.views import render_list, requires_somewhere

SEEN_COOKIE = "fulian_seen"
# The code step must follow the password step within this many seconds.
PENDING_SECONDS = 5 * 60


@login_not_required
@never_cache
@csrf_protect
def login_view(request: AuthedRequest) -> HttpResponse:
    """The password step. Accounts with a second factor go on to the code (or enrolment) step
    with nothing but a note in the session that the password passed: no login yet."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next") or "")
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
            enrolled = two_factor.is_enrolled(user)
            if enrolled or needs_two_factor(user):
                # A new session key for the half-done login (the one a visitor arrived with may
                # have been planted); django_login changes it again at the end.
                request.session.cycle_key()
                request.session[PENDING_KEY] = {
                    "user": user.pk,
                    "at": int(timezone.now().timestamp()),
                    "auth": user.get_session_auth_hash(),
                    "next": next_url,
                }
                return redirect("accounts:login_code" if enrolled else "accounts:login_enrol")
            services.session_login(request=request, user=user)
            return _logged_in(next_url)
    expired = request.method == "GET" and bool(next_url) and request.COOKIES.get(SEEN_COOKIE) == "1"
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": next_url, "expired": expired, "idle_minutes": settings.SESSION_COOKIE_AGE // 60},
    )


def _safe_next(request: HttpRequest, next_url: str) -> str:
    return next_url if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}) else ""


def _logged_in(next_url: str) -> HttpResponse:
    response = redirect(next_url or "home")
    # A browser-session cookie that outlives the 30-minute session: when it is present but the
    # session is gone, the login page says the session expired.
    response.set_cookie(SEEN_COOKIE, "1", httponly=True, samesite="Lax")
    return response


def _pending(request: HttpRequest) -> tuple[User, str] | None:
    """The account whose password step this session passed (within PENDING_SECONDS, with the
    password unchanged since), and the page to go on to; else None (the note is dropped)."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or int(timezone.now().timestamp()) - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).select_related("org").first()
    if user is None or not constant_time_compare(user.get_session_auth_hash(), pending.get("auth", "")):
        request.session.pop(PENDING_KEY, None)
        return None
    return user, _safe_next(request, pending.get("next", ""))


def _start_again(request: HttpRequest, message: str | None = None) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    messages.error(request, message or _("Please log in again: the code step waits 5 minutes at most."))
    return redirect("accounts:login")


@login_not_required
@never_cache
@csrf_protect
def login_code(request: AuthedRequest) -> HttpResponse:
    """The second step: a code from the authenticator app, or a recovery code."""
    if request.user.is_authenticated:
        return redirect("home")
    pending = _pending(request)
    if pending is None:
        return _start_again(request)
    user, next_url = pending
    if not two_factor.is_enrolled(user):
        return redirect("accounts:login_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            factor = two_factor.verify(request=request, user=user, code=form.cleaned_data["code"])
        except services.LoginRefused as refused:
            if refused.code == "locked":
                return _start_again(request, refused.message)
            form.add_error("code", refused.message)
        else:
            services.session_login(request=request, user=user, factor=factor)
            return _logged_in(next_url)
    return render(
        request, "accounts/login_code.html", {"form": form, "account": user}, status=400 if form.errors else 200
    )


@login_not_required
@never_cache
@csrf_protect
def login_enrol(request: AuthedRequest) -> HttpResponse:
    """The second step for an account that needs a second factor and has none yet: set up the
    authenticator app, prove it with a code, note the recovery codes; then logged in."""
    if request.user.is_authenticated:
        return redirect("accounts:two_factor")
    pending = _pending(request)
    if pending is None:
        return _start_again(request)
    user, next_url = pending
    if two_factor.is_enrolled(user):
        return redirect("accounts:login_code")
    return enrol(request, user, next_url=next_url, logging_in=True)


def enrol(request: AuthedRequest, user: User, *, next_url: str, logging_in: bool) -> HttpResponse:
    """Show the secret and its QR code; a valid code confirms it and shows the recovery codes
    once (in this response: they are never stored readable, not even in the session)."""
    enrolment = two_factor.enrolment_start(user=user)
    form = EnrolCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.enrolment_confirm(request=request, user=user, code=form.cleaned_data["code"])
        except services.LoginRefused as refused:
            if refused.code == "locked":
                if not logging_in:
                    services.session_logout(request=request)
                return _start_again(request, refused.message)
            form.add_error("code", refused.message)
        else:
            if logging_in:
                services.session_login(request=request, user=user, factor=FACTOR_TOTP)
            else:
                request.session[FACTOR_KEY] = FACTOR_TOTP
            response = render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url or reverse("home")}
            )
            if logging_in:
                response.set_cookie(SEEN_COOKIE, "1", httponly=True, samesite="Lax")
            return response
    context = {"form": form, "enrolment": enrolment, "account": user, "logging_in": logging_in}
    return render(request, "accounts/enrol.html", context, status=400 if form.errors else 200)


@require_POST
def logout_view(request: AuthedRequest) -> HttpResponse:
    services.session_logout(request=request)
    messages.info(request, _("You have logged out."))
    response = redirect("accounts:login")
    response.delete_cookie(SEEN_COOKIE)
    return response


def password_change(request: AuthedRequest) -> HttpResponse:
    """Change one's own password, given the current one (this session stays valid, others end).
    An account whose password someone else chose is sent here before anything else."""
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
    context = {"form": form, "target": None, "forced": request.user.must_change_password}
    return render(request, "accounts/password.html", context, status=400 if form.errors else 200)


@requires_somewhere("accounts.manage")
def account_list(request: AuthedRequest) -> HttpResponse:
    filters = AccountFilter.of(request.GET, user=request.user)
    users = filters.qs.select_related("org").order_by("username")
    context = {"form": filters.form}
    return render_list(request, "accounts/account_list.html", "accounts/_account_results.html", users, context)


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
    # The account's own organisation unless another is chosen: the usual place of its role.
    grant_form = GrantForm(request.POST or None, user=request.user, initial={"org": account.org})
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
    # Buttons that would be refused are not offered; the reason is shown instead.
    reach_refusal = services.reach_refusal(actor=request.user, user=account)
    context = {
        "account": account,
        "grants": grants,
        "grant_form": grant_form,
        "password_form": PasswordForm(),
        "refusal": reach_refusal or services.system_account_refusal(user=account),
        "reach_refusal": reach_refusal,
        "tokens": ApiToken.objects.visible_to(request.user).active().filter(user=account),
        "two_factor_enrolled": two_factor.is_enrolled(account),
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
