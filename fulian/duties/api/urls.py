"""The duties routes of the REST API (included under /api/v1/duties/ in the ``api`` namespace):
every name starts with ``duty-`` (``api:duty-request-list``, ``api:duty-request-escalate``…)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import DefaultRouter

from fulian.duties.api.views import RequestViewSet, ReviewQueueViewSet, WorkModeViewSet

router = DefaultRouter()
# The API's own root lists the routes; a second root here would take its name.
router.include_root_view = False
router.register("requests", RequestViewSet, basename="duty-request")
router.register("review-queue", ReviewQueueViewSet, basename="duty-review-queue")
router.register("work-modes", WorkModeViewSet, basename="duty-work-mode")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
