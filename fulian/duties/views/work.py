"""Duties pages: "my work" (``duties:work``) and the review list (to be written)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from fulian.accounts.http import AuthedRequest
from fulian.core.views import requires_somewhere


@requires_somewhere("duties.view")
def work(request: AuthedRequest) -> HttpResponse:
    return render(request, "duties/work.html", {})


urlpatterns: list[URLPattern] = [path("", work, name="work")]
