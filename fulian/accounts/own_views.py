"""The account's own pages: its settings (password, two-factor login, API tokens), and
revoking a token (one's own, or — security officers — one of an account in reach)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fulian.accounts import services, tokens, two_factor
from fulian.accounts.forms import CodeForm
from fulian.accounts.gate import needs_two_factor
from fulian.accounts.http import AuthedRequest
from fulian.accounts.models import ApiToken
from fulian.accounts.views import enrol
from fulian.core.scoping import get_visible_or_404


def account_me(request: AuthedRequest) -> HttpResponse:
    """One's own account: password, two-factor login, and the API tokens of one's devices."""
    user = request.user
    context = {
        "account": user,
        "grants": user.grants.select_related("org").order_by("org__path"),  # type: ignore[attr-defined]
        "tokens": ApiToken.objects.visible_to(user).active().filter(user=user),
        "two_factor_enrolled": two_factor.is_enrolled(user),
        "two_factor_required": needs_two_factor(user),
        "recovery_codes_left": two_factor.recovery_codes_left(user),
        "token_days": settings.FULIAN_TOKEN_DAYS,
    }
    return render(request, "accounts/me.html", context)


@never_cache
def two_factor_settings(request: AuthedRequest) -> HttpResponse:
    """Set up an authenticator app (optional for most accounts); once set up, renew the
    recovery codes or (where the roles do not require it) turn it off — each with a code."""
    user = request.user
    if not two_factor.is_enrolled(user):
        return enrol(request, user, next_url=reverse("accounts:me"), logging_in=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if request.POST.get("do") == "off":
                two_factor.two_factor_disable(request=request, user=user, code=code)
                messages.success(request, _("Two-factor login is off."))
                return redirect("accounts:me")
            codes = two_factor.recovery_codes_renew(request=request, user=user, code=code)
        except services.LoginRefused as refused:
            if refused.code == "locked":
                services.session_logout(request=request)
                messages.error(request, refused.message)
                return redirect("accounts:login")
            form.add_error("code", refused.message)
        else:
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("accounts:me")})
    context = {
        "form": form,
        "required": needs_two_factor(user),
        "recovery_codes_left": two_factor.recovery_codes_left(user),
    }
    return render(request, "accounts/two_factor.html", context, status=400 if form.errors else 200)


@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    """Revoke an API token: one's own (from one's account page), or an account's (from its page)."""
    token = get_visible_or_404(ApiToken.objects.select_related("user", "user__org"), request.user, pk=pk)
    try:
        tokens.token_revoke(actor=request.user, token=token, request=request)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(
            request, _("Token %(prefix)s… (%(name)s) revoked.") % {"prefix": token.prefix, "name": token.name}
        )
    if token.user_id == request.user.pk:
        return redirect("accounts:me")
    return redirect("accounts:detail", pk=token.user_id)
