"""A household awarded before may be nominated again, and its earlier awards show when it is
screened (re-evaluation); a revoked award shows struck through with its reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fulian.campaigns.services import awards, nominations
from fulian.campaigns.tests import helpers as h
from fulian.campaigns.tests.scope_cases import make_award
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def test_the_earlier_award_shows_on_the_new_nomination(world: World, english_pages: None) -> None:
    award = make_award(world)
    later = h.campaign(world, "yanling", ("village",), raters=1)
    nomination = nominations.nomination_create(
        actor=world.user("yanling_admin"), campaign=later, household=award.household
    )
    page = world.client_for("yanling_admin").get(reverse("campaigns:nomination_detail", args=[nomination.pk]))
    assert award.certificate_no in page.content.decode()


def test_a_revoked_award_shows_its_reason(world: World, english_pages: None) -> None:
    award = make_award(world)
    awards.award_revoke(actor=world.user("yanling_admin"), award=award, reason="庭院长期无人打理")
    page = world.client_for("yanling_admin").get(reverse("households:detail", args=[award.household_id]))
    text = page.content.decode()
    assert f"<del>{award.title}</del>" in text
    assert "庭院长期无人打理" in text
