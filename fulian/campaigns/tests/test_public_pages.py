"""The public pages (no account): the nomination form and its guard, the 公示 list and its
objection form, the honour roll, the QR codes of their share links, and the public vote."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulian.campaigns import guard
from fulian.campaigns.models import Award, Nomination, Objection, Result, Vote
from fulian.campaigns.services import awards, ranking
from fulian.campaigns.tests import helpers as h
from fulian.campaigns.tests.scope_cases import make_award, make_publicity
from fulian.campaigns.views import public as public_views
from fulian.campaigns.views.public import score_band

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
ID_NUMBER = "43022519800101002X"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def public() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _answer(html: str) -> str:
    question = re.search(r'data-testid="guard-question">([^<]+)<', html)
    assert question, "the page asks no question"
    a, b = (int(n) for n in re.findall(r"\d+", question.group(1)))
    return str(a - b if "minus" in question.group(1) or "减" in question.group(1) else a + b)


def _token(html: str) -> str:
    found = re.search(rf'name="{guard.TOKEN_FIELD}" value="([^"]+)"', html)
    assert found
    return found.group(1)


def send(client: Client, url: str, data: dict[str, Any], clock: Any, *, answer: str | None = None, **extra: Any) -> Any:
    """Open the form, wait like a person (5 s), answer the question and send it."""
    page = client.get(url).content.decode()
    clock.advance(minutes=5 / 60)
    data = {guard.TOKEN_FIELD: _token(page), guard.ANSWER_FIELD: answer or _answer(page), **data}
    return client.post(url, data, **extra)


def nomination_data(world: Any, **values: Any) -> dict[str, Any]:
    return {
        "source": "public",
        "name": "钟桃华",
        "village": world.org("huilong").pk,
        "reason": "庭院整洁，种满花草",
        "phone": "13800138000",
        **values,
    }


@pytest.fixture
def campaign(world: Any) -> Any:
    return h.campaign(world, "youxian", ("village", "township"))


def nominate_url(campaign: Any) -> str:
    return reverse("public:nominate", kwargs={"campaign": campaign.pk})


def test_a_person_nominates_a_household_and_is_thanked(world, campaign, public, clock):
    response = send(public, nominate_url(campaign), nomination_data(world, nominator="李梅"), clock)
    assert response.status_code == 302
    assert response["Location"] == reverse("public:nominate_thanks", kwargs={"campaign": campaign.pk})
    nomination = Nomination.objects.get()
    assert (nomination.name, nomination.org, nomination.source, nomination.nominator) == (
        "钟桃华",
        world.org("huilong"),
        "public",
        "李梅",
    )
    thanks = public.get(response["Location"])
    assert "will screen it" in thanks.content.decode()


def test_the_form_offers_the_campaign_villages_grouped_by_township(world, campaign, public):
    page = public.get(nominate_url(campaign)).content.decode()
    assert '<optgroup label="新市镇">' in page
    assert "回龙村" in page
    assert "蔬菜村" not in page  # 炎陵县 is not in 攸县's campaign


def test_a_large_campaign_asks_county_then_township_then_village(world, public, monkeypatch):
    monkeypatch.setattr(public_views, "GROUPED_MAX", 2)
    city = h.campaign(world, "city", ("village", "township"))
    page = public.get(nominate_url(city)).content.decode()
    assert 'name="place_county"' in page
    assert 'name="village"' in page
    assert "<optgroup" not in page
    places = reverse("public:places", kwargs={"campaign": city.pk})
    counties = public.get(places).json()["places"]
    assert {"id": world.org("youxian").pk, "name": world.org("youxian").display_name} in counties
    villages = public.get(places, {"parent": world.org("xinshi").pk}).json()["places"]
    assert world.org("huilong").pk in [v["id"] for v in villages]
    assert public.get(places, {"parent": world.org("huilong").pk}).status_code == 404
    # Sent back with an error, the chain is drawn down to the village chosen.
    chosen = public_views._place_selects(city, world.org("huilong").pk)
    assert [s.chosen for s in chosen] == [world.org(k).pk for k in ("youxian", "xinshi", "huilong")]


def test_places_outside_the_campaign_are_not_given(world, campaign, public):
    places = reverse("public:places", kwargs={"campaign": campaign.pk})
    assert public.get(places, {"parent": world.org("xiayang").pk}).status_code == 404


def test_a_wrong_village_keeps_the_values_and_says_so(world, campaign, public, clock):
    data = nomination_data(world, village=world.org("shucai").pk)
    response = send(public, nominate_url(campaign), data, clock)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a village of" in page
    assert "庭院整洁，种满花草" in page
    assert 'value="钟桃华"' in page
    assert not Nomination.objects.exists()


def test_a_form_sent_twice_without_being_stored_asks_a_new_question(world, campaign, public, clock):
    url = nominate_url(campaign)
    page = public.get(url).content.decode()
    clock.advance(minutes=0.1)
    data = {**nomination_data(world, phone=""), guard.TOKEN_FIELD: _token(page), guard.ANSWER_FIELD: _answer(page)}
    assert public.post(url, data).status_code == 400  # no phone: not stored
    again = public.post(url, {**data, "phone": "13800138000"})
    assert again.status_code == 400
    assert "This form was already sent" in again.content.decode()
    assert not Nomination.objects.exists()


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ({"answer": "99"}, "The answer to the question is not right"),
        ({"honeypot": "http://spam.example"}, "This form could not be accepted"),
        ({"fast": True}, "That was too fast"),
        ({"stale": True}, "more than 30 minutes"),
        ({"forged": True}, "This form could not be checked"),
    ],
)
def test_the_guard_refuses_with_a_clear_message_and_stores_nothing(world, campaign, public, clock, tamper, message):
    url = nominate_url(campaign)
    page = public.get(url).content.decode()
    clock.advance(minutes=0 if tamper.get("fast") else (31 if tamper.get("stale") else 0.1))
    data = {
        **nomination_data(world),
        guard.TOKEN_FIELD: "x" + _token(page) if tamper.get("forged") else _token(page),
        guard.ANSWER_FIELD: tamper.get("answer") or _answer(page),
        guard.HONEYPOT_FIELD: tamper.get("honeypot", ""),
    }
    response = public.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "庭院整洁，种满花草" in page  # what was typed is kept
    assert not Nomination.objects.exists()


def test_a_double_submit_stores_the_nomination_once(world, campaign, public, clock):
    url = nominate_url(campaign)
    page = public.get(url).content.decode()
    clock.advance(minutes=0.1)
    data = {**nomination_data(world), guard.TOKEN_FIELD: _token(page), guard.ANSWER_FIELD: _answer(page)}
    first = public.post(url, data)
    assert first.status_code == 302
    # The second tap is thanked like the first, and stores nothing.
    again = public.post(url, data)
    assert again.status_code == 302
    assert again["Location"] == first["Location"]
    # A second form filled in the same way: the service knows it.
    third = send(public, url, nomination_data(world), clock)
    assert "You have already nominated 钟桃华" in third.content.decode()
    assert Nomination.objects.count() == 1


def test_a_sixth_nomination_within_the_hour_from_one_address_is_refused(world, campaign, public, clock):
    url = nominate_url(campaign)
    for n in range(guard.PER_HOUR):
        assert send(public, url, nomination_data(world, name=f"户主{n}"), clock).status_code == 302
    refused = send(public, url, nomination_data(world, name="户主六"), clock)
    assert refused.status_code == 400
    assert "Too many submissions from your network in the last hour" in refused.content.decode()
    assert Nomination.objects.count() == guard.PER_HOUR
    other = send(public, url, nomination_data(world, name="户主七"), clock, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302
    clock.advance(minutes=61)
    assert send(public, url, nomination_data(world, name="户主八"), clock).status_code == 302


def test_the_day_limit_holds_across_hours(world, campaign, public, clock, monkeypatch):
    monkeypatch.setattr(guard, "PER_DAY", 2)
    url = nominate_url(campaign)
    clock.now = clock.now.replace(hour=1, minute=0)
    for n in range(2):
        assert send(public, url, nomination_data(world, name=f"户主{n}"), clock).status_code == 302
        clock.advance(minutes=61)
    refused = send(public, url, nomination_data(world, name="户主三"), clock)
    assert "Too many submissions from your network today" in refused.content.decode()


def test_a_closed_campaign_says_so_and_takes_nothing(world, public, clock):
    closed = h.campaign(world, "youxian", ("village",), nominations_open=False)
    page = public.get(nominate_url(closed)).content.decode()
    assert "Nominations for this campaign have closed." in page
    assert '<form method="post"' not in page
    response = public.post(nominate_url(closed), nomination_data(world))
    assert response.status_code == 400
    assert not Nomination.objects.exists()


def test_a_draft_campaign_is_not_public(world, public):
    draft = h.campaign(world, "youxian", ("village",), open_=False)
    assert public.get(nominate_url(draft)).status_code == 404


# 公示


@pytest.fixture
def notice(world: Any) -> Any:
    made = make_publicity(world)
    entry = Result.objects.get(stage=made.stage, proposed=True).entry
    household = entry.household
    household.mobile = PHONE
    household.id_number = ID_NUMBER
    household.save()
    return made


def publicity_url(notice: Any) -> str:
    return reverse("public:publicity", kwargs={"publicity": notice.pk})


def object_url(notice: Any) -> str:
    entry_id = Result.objects.get(stage=notice.stage, proposed=True).entry_id
    return reverse("public:object", kwargs={"publicity": notice.pk, "entry": entry_id})


def test_the_publicity_page_shows_names_villages_and_bands_but_no_phone_id_or_score(world, notice, public):
    result = Result.objects.get(stage=notice.stage, proposed=True)
    page = public.get(publicity_url(notice)).content.decode()
    assert "钟桃华" in page
    assert "蔬菜村" in page
    assert score_band(result.score) in page
    assert "working days" in page
    for secret in (PHONE, ID_NUMBER, str(result.score)):
        assert secret not in page
    assert object_url(notice) in page


def test_the_publicity_list_filters_by_organisation(world, notice, public):
    page = public.get(publicity_url(notice), {"org": world.org("xiayang").pk}).content.decode()
    assert "钟桃华" in page
    # Not an organisation of the list: the whole list, not an error.
    assert "钟桃华" in public.get(publicity_url(notice), {"org": world.org("xinshi").pk}).content.decode()


def test_an_objection_is_lodged_through_the_guard(world, notice, public, clock):
    response = send(public, object_url(notice), {"reason": "门前堆放杂物", "phone": "13800138009"}, clock)
    assert response.status_code == 200
    assert "Your objection to 钟桃华 was received" in response.content.decode()
    objection = Objection.objects.get()
    assert objection.reason == "门前堆放杂物"


def test_an_objection_with_a_wrong_answer_is_refused(world, notice, public, clock):
    response = send(public, object_url(notice), {"reason": "门前堆放杂物", "phone": "13800138009"}, clock, answer="99")
    assert response.status_code == 400
    assert "The answer to the question is not right" in response.content.decode()
    assert not Objection.objects.exists()


def test_after_the_end_the_form_is_gone_and_a_post_is_refused(world, notice, public, clock):
    page = public.get(object_url(notice)).content.decode()
    clock.advance(minutes=60 * 24 * 14)
    listing = public.get(publicity_url(notice)).content.decode()
    assert "objections are no longer taken" in listing
    assert object_url(notice) not in listing
    data = {
        "reason": "门前堆放杂物",
        "phone": "13800138009",
        guard.TOKEN_FIELD: _token(page),
        guard.ANSWER_FIELD: _answer(page),
    }
    response = public.post(object_url(notice), data)
    assert response.status_code == 400
    assert f"The publicity closed on {notice.ends_on.isoformat()}" in response.content.decode()
    assert not Objection.objects.exists()


def test_the_objection_page_shows_no_phone_or_id_number(world, notice, public):
    page = public.get(object_url(notice)).content.decode()
    assert "钟桃华" in page
    assert PHONE not in page
    assert ID_NUMBER not in page


def test_an_objection_to_a_household_not_on_the_list_is_not_found(world, notice, public):
    other = h.enter(world, h.campaign(world, "youxian", ("village",)))
    url = reverse("public:object", kwargs={"publicity": notice.pk, "entry": other.pk})
    assert public.get(url).status_code == 404


# Honour roll


def test_the_honour_roll_shows_only_standing_awards_of_the_subtree(world, public):
    award = make_award(world)
    other_campaign = h.campaign(world, "youxian", ("village",), raters=1)
    entry = h.enter(world, other_campaign, "huilong", "周建国")
    who = h.rater(world, "huilong", "周桂姣", username="zgj")
    h.score(world, h.assign(world, entry.stage, entry, who), Decimal("0.9"))
    ranking.stage_rank(actor=world.user("city_admin"), stage=entry.stage)
    ranking.stage_promote(actor=world.user("city_admin"), stage=entry.stage)
    outside = Award.objects.get(entry=entry)

    url = reverse("public:honours", kwargs={"org": world.org("yanling").pk})
    page = public.get(url).content.decode()
    assert award.certificate_no in page
    assert "钟桃华" in page
    assert outside.certificate_no not in page
    assert "周建国" not in page
    assert "Plaques (挂牌) by village" in page
    assert "蔬菜村" in page

    awards.award_revoke(actor=world.user("city_admin"), award=award, reason="弄虚作假")
    page = public.get(url).content.decode()
    assert award.certificate_no not in page
    assert "No awards yet." in page
    city = public.get(reverse("public:honours", kwargs={"org": world.org("city").pk})).content.decode()
    assert outside.certificate_no in city


def test_the_honour_roll_chooses_a_year_and_shows_no_phone_or_id_number(world, public):
    award = make_award(world)
    award.household.mobile = PHONE
    award.household.id_number = ID_NUMBER
    award.household.save()
    url = reverse("public:honours", kwargs={"org": world.org("shucai").pk})
    page = public.get(url, {"year": award.campaign.year}).content.decode()
    assert award.certificate_no in page
    assert PHONE not in page
    assert ID_NUMBER not in page
    assert f'href="?year={award.campaign.year}"' in page
    assert award.certificate_no in public.get(url, {"year": "1900"}).content.decode()  # unknown: the latest


# QR codes


def test_every_public_page_shows_its_link_and_qr_code(world, campaign, public):
    url = nominate_url(campaign)
    page = public.get(url).content.decode()
    assert f"http://testserver{url}" in page
    qr_url = re.search(r'class="fl-share-qr"\s+src="([^"]+)"', page)
    assert qr_url
    svg = public.get(qr_url.group(1).replace("&amp;", "&"))
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<svg")
    assert f"http://testserver{url}".encode() in svg.content


def test_the_qr_endpoint_makes_codes_of_public_pages_only(public):
    qr = reverse("public:qr")
    assert public.get(qr, {"path": "/accounts/login/"}).status_code == 404
    assert public.get(qr, {"path": "https://elsewhere.example/"}).status_code == 404
    assert public.get(qr, {"path": qr}).status_code == 404


# Public vote


def test_a_phone_votes_once_a_day(world, public, clock):
    voting = h.campaign(world, "youxian", ("village",), vote_weight=30)
    entry = h.enter(world, voting)
    url = reverse("public:vote", kwargs={"campaign": voting.pk})
    first = send(public, url, {"entry": entry.pk, "phone": "13800138000"}, clock)
    assert first.status_code == 200, first.content.decode()[:2000]
    assert "Your vote for 钟桃华 was counted" in first.content.decode()
    second = send(public, url, {"entry": entry.pk, "phone": "13800138000"}, clock)
    assert second.status_code == 400
    assert "already voted today" in second.content.decode()
    assert Vote.objects.count() == 1


def test_a_vote_through_a_wrong_answer_or_for_a_stranger_is_refused(world, public, clock):
    voting = h.campaign(world, "youxian", ("village",), vote_weight=30)
    entry = h.enter(world, voting)
    url = reverse("public:vote", kwargs={"campaign": voting.pk})
    wrong = send(public, url, {"entry": entry.pk, "phone": "13800138000"}, clock, answer="99")
    assert wrong.status_code == 400
    assert "The answer to the question is not right" in wrong.content.decode()
    other = h.enter(world, h.campaign(world, "youxian", ("village",), vote_weight=30), head="周建国")
    stranger = send(public, url, {"entry": other.pk, "phone": "13800138000"}, clock)
    assert "This household is not in the vote." in stranger.content.decode()
    assert not Vote.objects.exists()


def test_a_campaign_without_a_vote_has_no_vote_page(world, campaign, public):
    assert public.get(reverse("public:vote", kwargs={"campaign": campaign.pk})).status_code == 404


def test_score_bands():
    assert score_band(Decimal("95.5")) == "90 points and above"
    assert score_band(Decimal("89.99")) == "80–89 points"
    assert score_band(Decimal("59")) == "below 60 points"
    assert score_band(None) == ""


# Query counts: the same number of queries for one row as for many.


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_publicity_page_runs_the_same_queries_for_more_households(world, notice, public):
    url = publicity_url(notice)
    one = _queries(public, url)
    for head in ("周建国", "李秀英", "王丽"):
        entry = h.enter(world, notice.stage.campaign, "dongqu", head)
        result = Result(entry=entry, stage=notice.stage, score=Decimal("85"), proposed=True)
        result.place(entry.org, entry.ancestry)
        result.save()
    assert "王丽" in public.get(url).content.decode()
    assert _queries(public, url) == one


def test_the_honour_roll_runs_the_same_queries_for_more_awards(world, public):
    make_award(world)
    url = reverse("public:honours", kwargs={"org": world.org("yanling").pk})
    one = _queries(public, url)
    more = h.campaign(world, "yanling", ("village",), raters=1, quota=3)
    who = h.rater(world, "dongqu", "李秀英", username="lxy")
    for head in ("周建国", "李秀英", "王丽"):
        entry = h.enter(world, more, "dongqu", head)
        h.score(world, h.assign(world, entry.stage, entry, who), Decimal("0.9"))
    ranking.stage_rank(actor=world.user("city_admin"), stage=h.first_stage(more))
    ranking.stage_promote(actor=world.user("city_admin"), stage=h.first_stage(more))
    assert "王丽" in public.get(url).content.decode()
    assert _queries(public, url) == one
