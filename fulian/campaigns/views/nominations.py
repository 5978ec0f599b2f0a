"""Campaign pages: nominations (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
