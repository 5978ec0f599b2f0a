"""Logging in to the API (tokens), the caller's own account, password and tokens."""

import django_filters
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fulian.accounts import services, tokens, two_factor
from fulian.accounts.api.serializers import (
    ApiTokenSerializer,
    MeSerializer,
    OwnPasswordSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from fulian.accounts.models import ApiToken, User
from fulian.core.api import ScopedViewSetMixin, action_somewhere

# What each refusal of a login step answers with (the rest: 400).
REFUSAL_STATUS = {
    "locked": status.HTTP_429_TOO_MANY_REQUESTS,
    "ip_blocked": status.HTTP_429_TOO_MANY_REQUESTS,
    "inactive": status.HTTP_403_FORBIDDEN,
}


def _refused(message: str, code: str, status_code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"detail": message, "code": code}, status=status_code)


class TokenView(APIView):
    """Exchange a username (or mobile number) and password for an API token for one device or
    client, valid for FULIAN_TOKEN_DAYS days (30 by default). The token is shown this once.

    The same lockout rules as the login page apply: 5 failures lock the account for 15
    minutes, 30 failures from one address block it. An account with two-factor login also
    sends `code` (wrong codes count towards the same lock); an account that must choose its
    own password also sends `new_password`.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        payload = TokenRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        http_request: HttpRequest = request._request
        try:
            user = services.login_attempt(request=http_request, identifier=data["username"], password=data["password"])
            second_factor = two_factor.applies(user)
            if second_factor and not two_factor.is_enrolled(user):
                return _refused(
                    _("Set up two-factor login first: log in once in the browser, where the page shows how."),
                    "two_factor_enrolment_required",
                    status.HTTP_403_FORBIDDEN,
                )
            if second_factor:
                two_factor.verify(request=http_request, user=user, code=data.get("code", ""))
        except services.LoginRefused as refused:
            return _refused(
                refused.message, refused.code, REFUSAL_STATUS.get(refused.code, status.HTTP_400_BAD_REQUEST)
            )
        if user.must_change_password:
            if not data.get("new_password"):
                return _refused(
                    _(
                        "Your password was set by someone else: choose your own before you get a token. "
                        "Send it as new_password."
                    ),
                    "password_change_required",
                    status.HTTP_403_FORBIDDEN,
                )
            try:
                services.user_set_password(
                    actor=user, user=user, password=data["new_password"], current_password=data["password"]
                )
            except ValidationError as e:
                return Response({"new_password": e.message_dict.get("password", e.messages)}, status=400)
        token, key = tokens.token_issue(request=http_request, user=user, name=data["name"], two_factor=second_factor)
        return Response(
            {"token": key, "id": token.pk, "name": token.name, "prefix": token.prefix, "expires_at": token.expires_at}
        )


class TokenRevokeView(APIView):
    """Revoke the token this request is made with (log out of the API)."""

    permission_classes = [IsAuthenticated]
    open_before_password_change = True

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            return _refused(
                _("This call ends the token it is made with. To end another, DELETE /api/v1/me/tokens/<id>/."),
                "no_token",
            )
        tokens.token_revoke(actor=request.user, token=request.auth, request=request._request)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The caller: account, organisation, role grants and the actions they allow."""

    @extend_schema(responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)  # type: ignore[arg-type]


class OwnPasswordView(APIView):
    """Change one's own password, given the current one. Every API token of the account ends,
    the one this request is made with included (a browser session goes on). Open to accounts
    that must choose their own password, which reach nothing else until they do."""

    open_before_password_change = True

    @extend_schema(request=OwnPasswordSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        payload = OwnPasswordSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        services.user_set_password(
            actor=user,
            user=user,
            password=payload.validated_data["password"],
            current_password=payload.validated_data["current_password"],
        )
        if not isinstance(request.auth, ApiToken):
            update_session_auth_hash(request._request, user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyTokenViewSet(ScopedViewSetMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """The caller's own active API tokens; DELETE revokes one."""

    scoped_model = ApiToken
    serializer_class = ApiTokenSerializer

    def refine_queryset(self, queryset: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
        return queryset.active().filter(user=self.request.user).select_related("user")  # type: ignore[attr-defined]

    def perform_destroy(self, instance: ApiToken) -> None:
        tokens.token_revoke(actor=self.request.user, token=instance, request=self.request._request)


def _visible_accounts(request: Request | None) -> QuerySet[User]:
    return User.objects.visible_to(request.user) if request is not None else User.objects.none()


class ApiTokenFilter(django_filters.FilterSet):
    # Scoped choices: an account outside the caller's subtree is "not a valid choice".
    user = django_filters.ModelChoiceFilter(queryset=_visible_accounts, label=gettext_lazy("Account id"))

    class Meta:
        model = ApiToken
        fields: list[str] = []


class ApiTokenViewSet(ScopedViewSetMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """Active API tokens of the accounts of the caller's subtree (security officers only);
    `?user=<account id>` lists one account's, DELETE revokes one."""

    scoped_model = ApiToken
    serializer_class = ApiTokenSerializer
    filterset_class = ApiTokenFilter
    permission_classes = [action_somewhere("accounts.manage")]

    def refine_queryset(self, queryset: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
        return queryset.active().select_related("user", "user__org")  # type: ignore[attr-defined]

    def perform_destroy(self, instance: ApiToken) -> None:
        tokens.token_revoke(actor=self.request.user, token=instance, request=self.request._request)
