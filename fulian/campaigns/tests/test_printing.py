"""Printables: the certificate of an award (A4 landscape) and the 公示 notice (A4 portrait)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import formats, translation

from fulian.campaigns.models import Result
from fulian.campaigns.tests.scope_cases import INSIDER, OUTSIDER, make_award, make_publicity
from fulian.campaigns.views.printing import chinese_month

pytestmark = pytest.mark.django_db


def test_chinese_month_writes_the_year_digit_by_digit():
    assert chinese_month(datetime.date(2019, 12, 20)) == "二〇一九年十二月"
    assert chinese_month(datetime.date(2020, 1, 1)) == "二〇二〇年一月"
    assert chinese_month(datetime.date(2026, 10, 5)) == "二〇二六年十月"


def test_the_certificate_names_the_household_the_title_the_federation_and_the_date(world):
    award = make_award(world)
    page = world.client_for(INSIDER).get(reverse("campaigns:certificate", kwargs={"pk": award.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "钟桃华" in html
    assert award.title in html
    assert award.certificate_no in html
    assert chinese_month(award.issued_on) in html
    assert award.campaign.org.display_name in html
    assert "campaigns/print-certificate" in html


def test_the_certificate_in_english_gives_the_month_in_words(world, english_pages):
    award = make_award(world)
    html = world.client_for(INSIDER).get(reverse("campaigns:certificate", kwargs={"pk": award.pk})).content.decode()
    assert "Certificate of Honour" in html
    assert award.issued_on.strftime("%B %Y") in html


def test_the_certificate_stylesheet_prints_a4_landscape_in_a_serif_cjk_face():
    css = Path(str(finders.find("campaigns/print-certificate.css"))).read_text(encoding="utf-8")
    assert "size: A4 landscape" in css
    assert '"Songti SC"' in css
    assert '"SimSun"' in css
    assert "serif;" in css
    assert "@media print" in css
    assert ".fl-header" in css
    notice = Path(str(finders.find("campaigns/print-notice.css"))).read_text(encoding="utf-8")
    assert "size: A4 portrait" in notice


def test_the_notice_lists_the_households_the_period_and_how_to_object(world):
    notice = make_publicity(world)
    result = Result.objects.get(stage=notice.stage, proposed=True)
    page = world.client_for(INSIDER).get(reverse("campaigns:notice", kwargs={"pk": notice.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "钟桃华" in html
    assert "蔬菜村" in html
    with translation.override("zh-hans"):
        assert formats.date_format(notice.ends_on) in html
    public_url = reverse("public:publicity", kwargs={"publicity": notice.pk})
    assert f"http://testserver{public_url}" in html
    assert reverse("public:qr") in html
    assert str(result.score) not in html


def test_outsiders_and_strangers_get_no_printable(world, client):
    award = make_award(world)
    url = reverse("campaigns:certificate", kwargs={"pk": award.pk})
    assert world.client_for(OUTSIDER).get(url).status_code == 404
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]
