"""Review flags found on crafted sheets: a biased rater, raters who disagree, one photo sent
for two households (the same bytes, or a re-compressed copy), and what is not flagged."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from fulian.campaigns import flags
from fulian.campaigns.choices import FlagKind
from fulian.campaigns.models import Flag
from fulian.campaigns.tests import helpers as h

pytestmark = pytest.mark.django_db


def picture(seed: int, quality: int = 90) -> bytes:
    """A photo with structure (a plain colour has an empty dHash): bands and a shape by seed."""
    image = Image.new("RGB", (320, 240), (240, 240, 230))
    draw = ImageDraw.Draw(image)
    for n in range(8):
        shade = (seed * 37 + n * 53) % 255
        draw.rectangle((n * 40, 0, n * 40 + 39, 240), fill=(shade, 255 - shade, (shade * 3) % 255))
    draw.ellipse((40 + seed * 13 % 100, 40, 200 + seed * 7 % 100, 200), fill=(20, 90 + seed % 100, 30))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def recompressed(data: bytes) -> bytes:
    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image.resize((300, 225)).save(out, format="JPEG", quality=55)
    return out.getvalue()


def round_of(world: Any, households: int, raters: int = 3) -> tuple[Any, list[Any], list[Any]]:
    campaign = h.campaign(world, raters=raters)
    stage = h.first_stage(campaign)
    entries = [h.enter(world, campaign, head=f"户主{n}") for n in range(households)]
    people = [h.rater(world, name=f"评委{n}") for n in range(raters)]
    return stage, entries, people


def sheet(world: Any, stage: Any, entry: Any, who: Any, fraction: str, photos: tuple[bytes, ...] = ()) -> Any:
    uploads = [(None, SimpleUploadedFile(f"p{n}.jpg", data)) for n, data in enumerate(photos)]
    return h.score(world, h.assign(world, stage, entry, who), Decimal(fraction), photos=uploads)


def find(world: Any, stage: Any) -> int:
    return flags.flags_find(stage, actor=world.user("city_admin"))


def test_a_rater_far_below_her_co_raters_on_three_households_is_flagged(world):
    stage, entries, (kind1, kind2, harsh) = round_of(world, 3)
    for entry in entries:
        sheet(world, stage, entry, kind1, "1")
        sheet(world, stage, entry, kind2, "1")
        sheet(world, stage, entry, harsh, "0.625")
    find(world, stage)
    bias = Flag.objects.get(stage=stage, kind=FlagKind.BIAS)
    assert bias.person == harsh
    assert bias.measure is not None
    assert bias.measure <= -flags.BIAS_POINTS
    assert -32 < bias.measure < -28
    assert sorted(row["entry"] for row in bias.detail["households"]) == sorted(e.pk for e in entries)
    assert bias.village_id == world.org("huilong").pk
    assert bias.org_id == world.org("huilong").pk


def test_a_rater_far_off_who_shares_only_two_households_is_not_flagged(world):
    stage, entries, (kind1, kind2, harsh) = round_of(world, 3)
    for n, entry in enumerate(entries):
        sheet(world, stage, entry, kind1, "1")
        sheet(world, stage, entry, kind2, "1")
        if n < 2:
            sheet(world, stage, entry, harsh, "0.625")
    find(world, stage)
    assert not Flag.objects.filter(stage=stage, kind=FlagKind.BIAS).exists()


def test_a_household_whose_raters_spread_25_points_is_flagged_and_one_of_10_is_not(world):
    stage, (wide, close), (one, two) = round_of(world, 2, raters=2)
    sheet(world, stage, wide, one, "1")
    sheet(world, stage, wide, two, "0.6875")
    sheet(world, stage, close, one, "1")
    sheet(world, stage, close, two, "0.875")
    assert find(world, stage) == 1
    flag = Flag.objects.get(stage=stage)
    assert (flag.kind, flag.entry, flag.org_id) == (FlagKind.AGREEMENT, wide, wide.org_id)
    assert flag.measure is not None
    assert 24 <= flag.measure <= 26
    assert len(flag.detail["sheets"]) == 2


def test_the_same_photo_for_two_households_is_flagged(world):
    stage, (first, second, third), (one, _two) = round_of(world, 3, raters=2)
    photo = picture(1)
    sheet(world, stage, first, one, "0.9", (photo,))
    sheet(world, stage, second, one, "0.9", (photo,))
    sheet(world, stage, third, one, "0.9", (picture(2),))
    assert find(world, stage) == 1
    flag = Flag.objects.get(stage=stage)
    assert flag.kind == FlagKind.PHOTO
    assert {flag.entry, flag.other_entry} == {first, second}
    assert flag.detail["photos"][0]["match"] == "identical"


def test_a_recompressed_copy_is_flagged_by_its_dhash(world):
    stage, (first, second), (one, _two) = round_of(world, 2, raters=2)
    photo = picture(3)
    sheet(world, stage, first, one, "0.9", (photo,))
    sheet(world, stage, second, one, "0.9", (recompressed(photo),))
    assert find(world, stage) == 1
    flag = Flag.objects.get(stage=stage)
    assert flag.kind == FlagKind.PHOTO
    assert flag.detail["photos"][0]["match"] == "near"
    assert flag.measure is not None
    assert flag.measure <= 6


def test_unrelated_photos_and_one_household_photographed_twice_are_not_flagged(world):
    stage, (first, second), (one, two) = round_of(world, 2, raters=2)
    photo = picture(4)
    sheet(world, stage, first, one, "0.9", (photo,))
    sheet(world, stage, first, two, "0.9", (photo,))
    sheet(world, stage, second, one, "0.9", (picture(5),))
    assert find(world, stage) == 0


def test_finding_again_replaces_uncleared_flags_and_keeps_cleared_ones(world):
    stage, (wide, other), (one, two) = round_of(world, 2, raters=2)
    sheet(world, stage, wide, one, "1")
    sheet(world, stage, wide, two, "0.6")
    sheet(world, stage, other, one, "1")
    sheet(world, stage, other, two, "0.5")
    assert find(world, stage) == 2
    cleared = Flag.objects.get(entry=wide)
    flags.flag_clear(actor=world.user("city_admin"), flag=cleared, note="复核无误")
    assert find(world, stage) == 1
    assert Flag.objects.filter(stage=stage).count() == 2
    assert Flag.objects.get(pk=cleared.pk).cleared_note == "复核无误"


def test_clearing_needs_a_note_a_reviewer_and_happens_once(world):
    stage, (wide,), (one, two) = round_of(world, 1, raters=2)
    sheet(world, stage, wide, one, "1")
    sheet(world, stage, wide, two, "0.6")
    find(world, stage)
    flag = Flag.objects.get()
    with pytest.raises(ValidationError):
        flags.flag_clear(actor=world.user("city_admin"), flag=flag, note=" ")
    with pytest.raises(PermissionDenied):
        flags.flag_clear(actor=world.user("huilong_zhiwei"), flag=flag, note="看过")
    with pytest.raises(PermissionDenied):
        flags.flags_find(stage, actor=world.user("xinshi_staff"))
    flags.flag_clear(actor=world.user("city_admin"), flag=flag, note="看过")
    with pytest.raises(ValidationError, match="already cleared"):
        flags.flag_clear(actor=world.user("city_admin"), flag=flag, note="看过")


def test_two_raters_alone_on_their_households_are_both_flagged_when_far_apart(world):
    stage, entries, (one, two) = round_of(world, 3, raters=2)
    for entry in entries:
        sheet(world, stage, entry, one, "1")
        sheet(world, stage, entry, two, "0.625")
    find(world, stage)
    flagged = dict(Flag.objects.filter(stage=stage, kind=FlagKind.BIAS).values_list("person_id", "measure"))
    assert set(flagged) == {one.pk, two.pk}
    assert flagged[one.pk] == -(flagged[two.pk] or 0)
