"""Campaign pages: review (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
