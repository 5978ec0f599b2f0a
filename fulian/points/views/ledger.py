"""Points pages: ledger (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
