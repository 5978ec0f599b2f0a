"""The REST API, version 1: every route written out."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from fulian.accounts.api.accounts import AccountViewSet, RoleGrantViewSet
from fulian.accounts.api.views import (
    ApiTokenViewSet,
    MeView,
    MyTokenViewSet,
    OwnPasswordView,
    TokenRevokeView,
    TokenView,
)
from fulian.audit.api import AuditEventViewSet
from fulian.grid.api.views import AssignmentViewSet, ContactViewSet, CoverageViewSet, GapsViewSet, UncoveredViewSet
from fulian.households.api.views import HouseholdViewSet, MemberViewSet
from fulian.imports.api import ImportBatchViewSet
from fulian.orgs.api.views import OrganisationViewSet
from fulian.people.api.views import PersonViewSet, PostViewSet, TermViewSet

router = DefaultRouter()
router.register("orgs", OrganisationViewSet, basename="org")
router.register("audit", AuditEventViewSet, basename="audit")
router.register("accounts", AccountViewSet, basename="account")
router.register("role-grants", RoleGrantViewSet, basename="role-grant")
router.register("api-tokens", ApiTokenViewSet, basename="api-token")
router.register("me/tokens", MyTokenViewSet, basename="my-token")
router.register("people", PersonViewSet, basename="person")
router.register("posts", PostViewSet, basename="post")
router.register("terms", TermViewSet, basename="term")
router.register("households", HouseholdViewSet, basename="household")
router.register("household-members", MemberViewSet, basename="household-member")
router.register("imports", ImportBatchViewSet, basename="import")
router.register("grid/assignments", AssignmentViewSet, basename="grid-assignment")
router.register("grid/contacts", ContactViewSet, basename="grid-contact")

app_name = "api"
urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="token_revoke"),
    path("me/", MeView.as_view(), name="me"),
    path("me/password/", OwnPasswordView.as_view(), name="me_password"),
    path("campaigns/", include("fulian.campaigns.api.urls")),
    path("duties/", include("fulian.duties.api.urls")),
    path("points/", include("fulian.points.api.urls")),
    # An organisation's coverage, by id or division code (not a router route: its key is either).
    path("grid/coverage/<str:org>/", CoverageViewSet.as_view({"get": "retrieve"}), name="grid-coverage-detail"),
    path(
        "grid/coverage/<str:org>/uncovered/",
        UncoveredViewSet.as_view({"get": "list"}),
        name="grid-coverage-uncovered",
    ),
    path("grid/coverage/<str:org>/gaps/", GapsViewSet.as_view({"get": "list"}), name="grid-coverage-gaps"),
    path("", include(router.urls)),
]
