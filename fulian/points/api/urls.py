"""The points routes of the REST API (included under /api/v1/points/ in the ``api`` namespace):
every name starts with ``points-`` (``api:points-entry-list``, ``api:points-order-hand-over``…)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import DefaultRouter

from fulian.points.api.views import (
    AccountViewSet,
    ClaimViewSet,
    EntryViewSet,
    HonourViewSet,
    ItemViewSet,
    ManualPostViewSet,
    OrderViewSet,
    RankViewSet,
    ReconciliationViewSet,
    RuleViewSet,
    SchemeViewSet,
    StoreViewSet,
    VersionViewSet,
)

router = DefaultRouter()
# The API's own root lists the routes; a second root here would take its name.
router.include_root_view = False
router.register("schemes", SchemeViewSet, basename="points-scheme")
router.register("versions", VersionViewSet, basename="points-version")
router.register("rules", RuleViewSet, basename="points-rule")
router.register("accounts", AccountViewSet, basename="points-account")
router.register("entries", EntryViewSet, basename="points-entry")
router.register("claims", ClaimViewSet, basename="points-claim")
router.register("ranks", RankViewSet, basename="points-rank")
router.register("honours", HonourViewSet, basename="points-honour")
router.register("stores", StoreViewSet, basename="points-store")
router.register("items", ItemViewSet, basename="points-item")
router.register("orders", OrderViewSet, basename="points-order")

urlpatterns: list[URLPattern | URLResolver] = [
    # Not lists: one POST that posts, one GET that checks.
    path("manual-posts/", ManualPostViewSet.as_view({"post": "create"}), name="points-manual-posts"),
    path("reconciliation/", ReconciliationViewSet.as_view({"get": "retrieve"}), name="points-reconciliation"),
    *router.urls,
]
