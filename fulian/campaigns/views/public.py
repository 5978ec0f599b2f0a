"""Campaign pages: public (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
