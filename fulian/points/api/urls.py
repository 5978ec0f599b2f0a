"""The points routes of the REST API (included under /api/v1/points/ in the ``api`` namespace):
every name starts with ``points-``."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import DefaultRouter

router = DefaultRouter()
router.include_root_view = False

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
