"""Points pages: ranks (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
