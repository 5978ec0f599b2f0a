"""A rater is told on her home page how many households she still has to score, and on her list
when the federation reminded her of overdue ones."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fulian.campaigns.models import RaterAssignment, Stage
from fulian.campaigns.tests import helpers as h
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def _hers(world: World) -> list[RaterAssignment]:
    campaign = h.campaign(world)
    stage = h.first_stage(campaign)
    who = h.rater(world, username="zgj")
    return [h.assign(world, stage, h.enter(world, campaign, head=head), who) for head in ("甲", "乙", "丙")]


def test_her_home_page_counts_the_households_left_to_score(world: World, english_pages: None) -> None:
    first, *_rest = _hers(world)
    h.score(world, first)
    page = world.client_for("zgj").get(reverse("home")).content.decode()
    assert "2 households to score" in page
    assert reverse("campaigns:my_sheets") in page
    assert "households to score" not in world.client_for("xinshi_staff").get(reverse("home")).content.decode()


def test_her_list_says_when_the_federation_reminded_her(world: World, english_pages: None) -> None:
    assignments = _hers(world)
    Stage.objects.filter(pk=assignments[0].stage_id).update(deadline=datetime.date(2020, 1, 1))
    url = reverse("campaigns:my_sheets")
    assert "reminded you" not in world.client_for("zgj").get(url).content.decode()
    RaterAssignment.objects.filter(pk__in=[a.pk for a in assignments[:2]]).update(reminded_at=timezone.now())
    page = world.client_for("zgj").get(url).content.decode()
    assert "2 households are past their scoring deadline" in page
