"""The duties routes of the REST API (included under /api/v1/duties/ in the ``api`` namespace):
every name starts with ``duty-`` (``api:duty-request-list``…)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import DefaultRouter

router = DefaultRouter()
# The API's own root lists the routes; a second root here would take its name.
router.include_root_view = False

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
