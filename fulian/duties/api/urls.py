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

# Figures, reports and assessments (branch api2).
from fulian.duties.api import figures as _figures  # noqa: E402
from fulian.duties.api.reports import ROUTES as _REPORT_ROUTES  # noqa: E402

for _prefix, _viewset, _basename in _REPORT_ROUTES:
    router.register(_prefix, _viewset, basename=_basename)
urlpatterns = [*_figures.urlpatterns, *router.urls]
