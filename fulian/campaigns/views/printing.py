"""Printables for staff: an award's certificate (荣誉证书, A4 landscape) and a 公示 notice for
the village notice board (A4 portrait, with the QR code of the public page). Both are pages
that print cleanly: the browser's print (or "save as PDF") is the printer."""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import formats
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from fulian.accounts.http import AuthedRequest
from fulian.campaigns.models import Award, Publicity
from fulian.campaigns.views.public import _proposed, publicity_period, publicity_rows, share
from fulian.core.scoping import get_visible_or_404

DIGITS = "〇一二三四五六七八九"
MONTHS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


def chinese_month(day: datetime.date) -> str:
    """二〇一九年十二月: the date of a certificate as Chinese documents write it."""
    return "".join(DIGITS[int(d)] for d in str(day.year)) + "年" + MONTHS[day.month - 1] + "月"


def issued_text(day: datetime.date) -> str:
    """The certificate's date in the page's language (Chinese numerals for Chinese)."""
    if (get_language() or "").startswith("zh"):
        return chinese_month(day)
    return formats.date_format(day, "F Y")


@require_GET
def certificate(request: AuthedRequest, pk: int) -> HttpResponse:
    """An award's certificate, laid out for A4 landscape."""
    award = get_visible_or_404(
        Award.objects.select_related("campaign__org", "household", "village", "stage"), request.user, pk=pk
    )
    # A title that quotes the honour itself (2019年度株洲市“最美庭院”) is not quoted again.
    title = award.title if any(mark in award.title for mark in '“"「') else f"“{award.title}”"
    context = {"award": award, "campaign": award.campaign, "issued": issued_text(award.issued_on), "title": title}
    return render(request, "campaigns/printing/certificate.html", context)


@require_GET
def notice(request: AuthedRequest, pk: int) -> HttpResponse:
    """A 公示 notice for the village notice board (A4 portrait): the list, the period, how to
    object (the contact, and the public page's link and QR code)."""
    the_notice = get_visible_or_404(Publicity.objects.select_related("stage__campaign__org"), request.user, pk=pk)
    context = {
        "notice": the_notice,
        "stage": the_notice.stage,
        "campaign": the_notice.stage.campaign,
        "rows": publicity_rows(the_notice, _proposed(the_notice)),
        **publicity_period(the_notice),
        **share(request, reverse("public:publicity", kwargs={"publicity": the_notice.pk})),
    }
    return render(request, "campaigns/printing/notice.html", context)


urlpatterns: list[URLPattern] = [
    path("awards/<int:pk>/certificate/", certificate, name="certificate"),
    path("publicity/<int:pk>/notice/", notice, name="notice"),
]
