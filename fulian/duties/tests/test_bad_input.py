"""The issue's "Bad input", at the service level: each is refused with a message that names the
field (or says plainly why), and nothing is written."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from fulian.audit.models import AuditEvent
from fulian.duties.services import records, review
from fulian.duties.tests import helpers as h
from fulian.grid import coverage
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact, ContactPhoto, WorkMode
from fulian.households.tests.helpers import household, member
from fulian.people.choices import PostKind
from fulian.people.tests.helpers import jpeg
from fulian.testing.world import World

pytestmark = pytest.mark.django_db

TODAY = coverage.today


@pytest.fixture
def her(world: World) -> Any:
    """周桂姣, 执委 of 回龙村, with her own account (``huilong_zhiwei``)."""
    return h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))


def refused(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def written() -> tuple[int, int, int]:
    """Records, their photos and audit entries: what a refused call must leave as it was."""
    return Contact.objects.count(), ContactPhoto.objects.count(), AuditEvent.objects.count()


def test_a_date_in_the_future_is_refused_naming_the_date(world: World, her: Any) -> None:
    home = household(world, "huilong", "周建国")
    before = Contact.objects.count()
    with pytest.raises(ValidationError) as error:
        h.record(world, her, households=[home], on=TODAY() + datetime.timedelta(days=1))
    assert refused(error) == {"happened_on": ["This date is in the future."]}
    assert Contact.objects.count() == before


def test_more_than_24_hours_in_a_day_is_refused_naming_the_time_spent(world: World, her: Any) -> None:
    home = household(world, "huilong", "周建国")
    h.record(world, her, households=[home], half_hours=30)
    h.record(world, her, households=[home], half_hours=10)
    with pytest.raises(ValidationError) as error:
        h.record(world, her, households=[home], half_hours=9)
    assert refused(error) == {
        "half_hours": [f"More than 24 hours in one day: 20 hours are already recorded for {TODAY().isoformat()}."]
    }
    with pytest.raises(ValidationError) as alone:
        h.record(world, her, households=[home], half_hours=49)
    assert list(refused(alone)) == ["half_hours"]
    assert Contact.objects.count() == 2
    # Another day is another 24 hours; a returned record frees its hours.
    h.record(world, her, households=[home], half_hours=9, on=TODAY() - datetime.timedelta(days=1))
    chair = h.zhiwei(world, "huilong", "刘春花", username="liu_chunhua", kind=PostKind.CHAIR)
    first = Contact.objects.filter(half_hours=30).get()
    review.record_return(actor=acct(chair), record=first, reason="时长不对")
    h.record(world, her, households=[home], half_hours=9)


def test_a_household_or_a_person_outside_her_area_is_refused_naming_the_field(world: World, her: Any) -> None:
    far = household(world, "shucai", "钟建华")
    with pytest.raises(ValidationError) as error:
        h.record(world, her, households=[far])
    assert list(refused(error)) == ["households"]
    assert "钟建华" in refused(error)["households"][0]
    stranger = member(world, far, "钟小红")
    with pytest.raises(ValidationError) as person_error:
        h.record(world, her, households=[], members=[stranger])
    assert refused(person_error) == {"members": ["钟小红 is not in your area."]}
    assert not Contact.objects.exists()


def test_staff_cannot_record_for_an_executive_member_of_another_subtree(world: World) -> None:
    far = h.zhiwei(world, "shucai", "钟桂兰")
    home = household(world, "huilong", "周建国")
    with pytest.raises(ValidationError) as error:
        h.record(world, far, actor=world.user("xinshi_staff"), households=[home])
    assert list(refused(error)) == ["person"]
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (SimpleUploadedFile("notes.jpg", b"%PDF-1.4 not a photo"), "not a photo"),
        (SimpleUploadedFile("huge.jpg", jpeg() + b"\0" * (30 * 1024 * 1024)), "30.0 MB"),
    ],
    ids=["not-an-image", "30-MB"],
)
def test_a_bad_photo_is_refused_naming_it_and_nothing_is_stored(
    world: World, her: Any, upload: Any, words: str
) -> None:
    good = SimpleUploadedFile("ok.jpg", jpeg())
    home = household(world, "huilong", "周建国")
    before = written()
    with pytest.raises(ValidationError) as error:
        h.record(world, her, households=[home], photos=[good, upload])
    assert written() == before
    assert list(refused(error)) == ["photos"]
    (message,) = refused(error)["photos"]
    assert message.startswith(f"Photo 2 ({upload.name}): ")
    assert words in message


def test_seven_photos_are_too_many_for_a_duty_record(world: World, her: Any) -> None:
    photos = [SimpleUploadedFile(f"{n}.jpg", jpeg()) for n in range(7)]
    with pytest.raises(ValidationError) as error:
        h.record(world, her, households=[household(world, "huilong", "周建国")], photos=photos)
    assert refused(error) == {"photos": ["At most 6 photos."]}
    assert not Contact.objects.exists()


def test_a_duplicate_submission_makes_no_second_record(world: World, her: Any) -> None:
    home = household(world, "huilong", "周建国")
    key = uuid.uuid4()
    first = h.record(world, her, households=[home], client_key=key)
    again = h.record(world, her, households=[home], client_key=key, half_hours=6)
    assert again.pk == first.pk
    assert again.half_hours == first.half_hours == 2
    assert Contact.objects.count() == 1
    # The same key from another account is no resend of hers: refused, not handed over.
    with pytest.raises(ValidationError) as error:
        h.record(world, her, actor=world.user("city_admin"), households=[home], client_key=key)
    assert list(refused(error)) == ["client_key"]
    assert Contact.objects.count() == 1


def test_confirming_her_own_record_or_one_she_entered_is_refused(world: World) -> None:
    chair = h.zhiwei(world, "huilong", "刘春花", username="liu_chunhua", kind=PostKind.CHAIR)
    own = h.record(world, chair)
    with pytest.raises(ValidationError, match="Nobody reviews her own record"):
        review.record_confirm(actor=acct(chair), record=own)
    staff = world.user("xinshi_staff")
    member_ = h.zhiwei(world, "huilong", "周桂姣")
    entered = h.record(world, member_, actor=staff)
    with pytest.raises(ValidationError, match="You entered this record"):
        review.record_confirm(actor=staff, record=entered)
    assert entered not in review.review_queue(staff)
    assert set(Contact.objects.values_list("status", flat=True)) == {RecordStatus.PENDING}


def test_a_review_outside_the_reviewers_scope_is_refused_without_saying_more(world: World) -> None:
    far = h.zhiwei(world, "shucai", "钟桂兰")
    theirs = h.record(world, far)
    review.record_confirm(actor=world.user("yanling_admin"), record=theirs)
    for actor in ("xinshi_staff", "youxian_admin", "huilong_zhiwei"):
        with pytest.raises(ValidationError) as error:
            review.record_confirm(actor=world.user(actor), record=theirs)
        # Not "already confirmed": a reviewer of another subtree learns nothing of its state.
        assert error.value.messages == ["This record is reviewed by the level above her, not by you."]
    pending = h.record(world, far, on=TODAY() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="not by you"):
        review.record_return(actor=world.user("xinshi_staff"), record=pending, reason="不对")
    pending.refresh_from_db()
    assert (pending.status, pending.return_reason) == (RecordStatus.PENDING, "")


def test_returning_without_a_reason_is_refused_naming_the_reason(world: World, her: Any) -> None:
    made = h.record(world, her)
    for blank in ("", "   \n "):
        with pytest.raises(ValidationError) as error:
            review.record_return(actor=world.user("xinshi_staff"), record=made, reason=blank)
        assert refused(error) == {"reason": ["Say why the record is returned."]}
    made.refresh_from_db()
    assert made.status == RecordStatus.PENDING


def _edit(world: World, record: Contact, **changes: Any) -> Contact:
    values: dict[str, Any] = {
        "work_mode": record.work_mode,
        "happened_on": record.happened_on,
        "half_hours": record.half_hours,
        "whom": record.whom,
        "location": record.location,
        "note": record.note,
    }
    return records.record_edit(actor=world.user("huilong_zhiwei"), record=record, **{**values, **changes})


def test_editing_a_confirmed_record_is_refused(world: World, her: Any) -> None:
    made = h.record(world, her, note="原来的")
    review.record_confirm(actor=world.user("xinshi_staff"), record=made)
    with pytest.raises(ValidationError, match="make a correction"):
        _edit(world, made, note="改了")
    made.refresh_from_db()
    assert (made.note, made.status) == ("原来的", RecordStatus.CONFIRMED)


def test_a_correction_of_an_unconfirmed_record_or_a_second_correction_is_refused(world: World, her: Any) -> None:
    waiting = h.record(world, her)
    with pytest.raises(ValidationError) as unconfirmed:
        h.record(world, her, supersedes=waiting, correction_reason="写错了")
    assert list(refused(unconfirmed)) == ["supersedes"]
    review.record_confirm(actor=world.user("xinshi_staff"), record=waiting)
    with pytest.raises(ValidationError) as no_reason:
        h.record(world, her, supersedes=waiting, correction_reason=" ")
    assert list(refused(no_reason)) == ["correction_reason"]
    h.record(world, her, supersedes=waiting, correction_reason="写错了")
    with pytest.raises(ValidationError) as second:
        h.record(world, her, supersedes=waiting, correction_reason="又错了")
    assert refused(second) == {"supersedes": ["This record already has a correction."]}
    assert Contact.objects.count() == 2


def test_a_correction_of_another_persons_record_is_refused(world: World, her: Any) -> None:
    colleague = h.zhiwei(world, "huilong", "李秀英")
    theirs = h.record(world, colleague)
    review.record_confirm(actor=world.user("xinshi_staff"), record=theirs)
    with pytest.raises(ValidationError) as error:
        h.record(world, her, supersedes=theirs, correction_reason="写错了")
    assert list(refused(error)) == ["supersedes"]


def test_an_inactive_work_mode_is_refused_naming_it(world: World, her: Any) -> None:
    WorkMode.objects.filter(name="政策宣讲").update(active=False)
    with pytest.raises(ValidationError) as error:
        h.record(world, her, work_mode="政策宣讲")
    assert refused(error) == {"work_mode": ["This work mode is no longer in use: choose another."]}
    assert not Contact.objects.exists()
    made = h.record(world, her)
    with pytest.raises(ValidationError) as edited:
        _edit(world, made, work_mode=h.mode("政策宣讲"))
    assert list(refused(edited)) == ["work_mode"]


def acct(who: Any) -> Any:
    """Her account (the personas' are set)."""
    return who.account
