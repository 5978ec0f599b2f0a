"""Points pages: passbook (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
