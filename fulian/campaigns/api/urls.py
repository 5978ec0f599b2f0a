"""The campaign routes of the REST API (included under /api/v1/campaigns/)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
