"""Accounts and role grants through the API, for the security officer: the same services as
the pages, the same scope (accounts of other subtrees are 404)."""

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from fulian.accounts import services
from fulian.accounts.api.serializers import (
    AccountCreateSerializer,
    AccountSerializer,
    ActiveSerializer,
    MobileSerializer,
    PasswordSetSerializer,
    RoleGrantCreateSerializer,
    RoleGrantSerializer,
)
from fulian.accounts.filters import AccountFilter
from fulian.accounts.models import RoleGrant, User
from fulian.core.api import ScopedViewSetMixin, action_somewhere
from fulian.core.filters import SEARCH_ALIAS_PARAMETER


class AccountViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """Accounts of the caller's subtree (security officers only)."""

    scoped_model = User
    serializer_class = AccountSerializer
    filterset_class = AccountFilter
    permission_classes = [action_somewhere("accounts.manage")]

    def refine_queryset(self, queryset: QuerySet[User]) -> QuerySet[User]:
        # Only the grants the caller may see: an account of 攸县 may also hold a role in 炎陵县.
        visible_grants = RoleGrant.objects.visible_to(self.request.user).select_related("org")
        return (
            queryset.select_related("org")
            .prefetch_related(Prefetch("grants", queryset=visible_grants))
            .order_by("username")
        )

    @extend_schema(parameters=[SEARCH_ALIAS_PARAMETER])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AccountCreateSerializer, responses={201: AccountSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated(AccountCreateSerializer)
        user = services.user_create(
            actor=request.user,  # type: ignore[arg-type]
            username=data["username"],
            full_name=data["full_name"],
            org=data["org_code"],
            password=data["password"],
            mobile=data.get("mobile", ""),
        )
        return Response(AccountSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: AccountSerializer})
    @action(detail=True, methods=["post"])
    def unlock(self, request: Request, pk: str | None = None) -> Response:
        account = self.get_object()
        services.user_unlock(actor=request.user, user=account)  # type: ignore[arg-type]
        return Response(AccountSerializer(account).data)

    @extend_schema(request=PasswordSetSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def password(self, request: Request, pk: str | None = None) -> Response:
        account = self.get_object()
        data = self.validated(PasswordSetSerializer)
        services.user_set_password(actor=request.user, user=account, password=data["password"])  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ActiveSerializer, responses={200: AccountSerializer})
    @action(detail=True, methods=["post"])
    def active(self, request: Request, pk: str | None = None) -> Response:
        account = self.get_object()
        data = self.validated(ActiveSerializer)
        services.user_set_active(actor=request.user, user=account, active=data["active"])  # type: ignore[arg-type]
        return Response(AccountSerializer(account).data)

    @extend_schema(request=None, responses={200: MobileSerializer})
    @action(detail=True, methods=["post"], url_path="reveal-mobile")
    def reveal_mobile(self, request: Request, pk: str | None = None) -> Response:
        """The full mobile number; the reveal is recorded in the audit log."""
        account = self.get_object()
        return Response({"mobile": services.user_reveal_mobile(actor=request.user, user=account)})  # type: ignore[arg-type]


def _visible_accounts(request: Request | None) -> QuerySet[User]:
    return User.objects.visible_to(request.user) if request is not None else User.objects.none()


class RoleGrantFilter(django_filters.FilterSet):
    # Scoped choices: an account outside the caller's subtree is "not a valid choice", like a
    # missing one (and a malformed id is a 400, not a database error).
    user = django_filters.ModelChoiceFilter(queryset=_visible_accounts, label=_("Account id"))

    class Meta:
        model = RoleGrant
        fields: list[str] = []


class RoleGrantViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,  # type: ignore[type-arg]
):
    """Role grants at organisations of the caller's subtree (security officers only)."""

    scoped_model = RoleGrant
    serializer_class = RoleGrantSerializer
    filterset_class = RoleGrantFilter
    permission_classes = [action_somewhere("accounts.manage")]

    def refine_queryset(self, queryset: QuerySet[RoleGrant]) -> QuerySet[RoleGrant]:
        return queryset.select_related("org", "user").order_by("id")

    @extend_schema(request=RoleGrantCreateSerializer, responses={201: RoleGrantSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated(RoleGrantCreateSerializer)
        user = User.objects.visible_to(request.user).filter(pk=data["user"]).first()
        if user is None:
            raise ValidationError({"user": [_("No account with this id in your area.")]})
        grant = services.role_grant(
            actor=request.user,  # type: ignore[arg-type]
            user=user,
            org=data["org_code"],
            role=data["role"],
        )
        return Response(RoleGrantSerializer(grant).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: RoleGrant) -> None:
        services.role_revoke(actor=self.request.user, grant=instance)  # type: ignore[arg-type]
