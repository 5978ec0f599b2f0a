import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from fulian.audit.models import AuditEvent
from fulian.core.personal import keyed_hash
from fulian.people import services
from fulian.people.choices import PostKind
from fulian.people.models import Person, Post, Term
from fulian.people.tests.helpers import START, person, post
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def test_the_id_number_gives_birth_date_and_gender_and_is_stored_encrypted(world: World) -> None:
    number = id_number("430223", "19750302", "F")
    p = person(world, id_number=number, mobile="139 0733 1215")
    assert (p.birth_date, p.gender) == (datetime.date(1975, 3, 2), "F")
    assert p.id_hash == keyed_hash(number)
    assert p.mobile == "13907331215"
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, mobile FROM people_person WHERE id = %s", [p.pk])
        stored_id, stored_mobile = cursor.fetchone()
    assert number not in stored_id
    assert "13907331215" not in stored_mobile
    assert p.id_number_masked == f"430223********{number[-4:]}"
    assert p.mobile_masked == "139****1215"


def test_a_birth_date_or_gender_contradicting_the_id_number_is_named(world: World) -> None:
    with pytest.raises(ValidationError) as e:
        person(world, id_number=id_number(birth="19750302"), birth_date=datetime.date(1975, 3, 3), gender="M")
    assert set(e.value.message_dict) == {"birth_date", "gender"}
    assert "1975-03-02" in e.value.message_dict["birth_date"][0]


def test_a_wrong_check_digit_and_a_duplicate_id_number_are_refused(world: World) -> None:
    number = id_number()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(ValidationError) as e:
        person(world, id_number=wrong)
    assert "id_number" in e.value.message_dict
    person(world, id_number=number)
    with pytest.raises(ValidationError) as e:
        person(world, "daqiaotou", "李秀英", id_number=number.lower())
    assert "already" in e.value.message_dict["id_number"][0]


def test_every_problem_is_reported_at_once(world: World) -> None:
    with pytest.raises(ValidationError) as e:
        person(world, name="", mobile="12345", id_number="4302231975")
    assert set(e.value.message_dict) == {"name", "mobile", "id_number"}


def test_outside_the_subtree_nothing_is_written(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.person_create(actor=world.user("xinshi_staff"), org=world.org("shucai"), values={"name": "钟桃华"})
    with pytest.raises(PermissionDenied):
        services.person_create(actor=world.user("huilong_zhiwei"), org=world.org("huilong"), values={"name": "周桂姣"})
    assert not Person.objects.exists()


def test_updating_the_id_number_re_derives_birth_date_and_gender(world: World) -> None:
    p = person(world, id_number=id_number(birth="19750302"))
    services.person_update(
        actor=world.user("xinshi_staff"), person=p, values={"id_number": id_number(birth="19800101", gender="M")}
    )
    p.refresh_from_db()
    assert (p.birth_date, p.gender) == (datetime.date(1980, 1, 1), "M")
    services.person_update(actor=world.user("xinshi_staff"), person=p, values={"address": "回龙村3组"})
    p.refresh_from_db()
    assert p.address == "回龙村3组"
    assert p.birth_date == datetime.date(1980, 1, 1)


def test_a_reveal_is_allowed_to_staff_and_audited(world: World) -> None:
    p = person(world, mobile="13907331215")
    assert services.person_reveal(actor=world.user("xinshi_staff"), person=p, field="mobile") == "13907331215"
    event = AuditEvent.objects.filter(action="reveal").latest("id")
    assert event.object_id == str(p.pk)
    assert event.changes == {"field": "mobile"}
    with pytest.raises(PermissionDenied):
        services.person_reveal(actor=world.user("huilong_zhiwei"), person=p, field="mobile")


def test_a_first_post_opens_the_first_term_and_one_person_holds_posts_at_two_levels(world: World) -> None:
    p = person(world)
    chair = post(world, p, "huilong", PostKind.CHAIR)
    township = post(world, p, "xinshi", PostKind.MEMBER)
    assert chair.term.number == 1
    assert chair.term.org == world.org("huilong")
    assert township.township_id == world.org("xinshi").pk
    assert township.village_id is None
    assert {x.org.code for x in p.posts.all()} == {world.org("huilong").code, world.org("xinshi").code}


def test_one_chair_per_term_and_one_post_per_person_per_term(world: World) -> None:
    post(world, person(world), "huilong", PostKind.CHAIR)
    other = person(world, name="李秀英")
    with pytest.raises(ValidationError) as e:
        post(world, other, "huilong", PostKind.CHAIR)
    assert "kind" in e.value.message_dict
    assert e.value.message_dict["kind"] == ["This federation already has a chair in this term."]
    post(world, other, "huilong", PostKind.VICE_CHAIR)
    with pytest.raises(ValidationError) as e:
        post(world, other, "huilong", PostKind.MEMBER)
    assert e.value.messages == ["李秀英 already holds a post in this term."]
    assert Post.objects.filter(person=other).count() == 1


def test_a_backbone_activist_is_promoted_and_keeps_her_history(world: World) -> None:
    p = person(world, backbone_since=datetime.date(2024, 3, 1))
    new = services.backbone_promote(actor=world.user("xinshi_staff"), person=p, org=world.org("huilong"), on=START)
    p.refresh_from_db()
    assert new.kind == PostKind.MEMBER
    assert p.backbone_since == datetime.date(2024, 3, 1)
    assert Person.objects.of_kind("executive").filter(pk=p.pk).exists()
    assert not Person.objects.of_kind("backbone").filter(pk=p.pk).exists()
    with pytest.raises(ValidationError) as e:
        services.backbone_promote(
            actor=world.user("xinshi_staff"), person=person(world, name="王芳"), org=world.org("huilong"), on=START
        )
    assert e.value.messages == ["王芳 is not a backbone activist."]
    assert not Post.objects.filter(person__name="王芳").exists()


def test_changeover_ends_every_post_and_carries_over_the_re_elected(world: World) -> None:
    chair = post(world, person(world), "huilong", PostKind.CHAIR)
    leaving = post(world, person(world, name="李秀英"), "huilong")
    on = datetime.date(2026, 9, 1)
    term = services.term_changeover(
        actor=world.user("xinshi_staff"), org=world.org("huilong"), on=on, carry_over=[chair]
    )
    assert term.number == 2
    assert term.start_date == on
    assert Term.objects.get(org=world.org("huilong"), number=1).ended_on == on
    assert set(Post.objects.filter(term__number=1).values_list("end_date", flat=True)) == {on}
    current = Post.objects.filter(term=term, end_date__isnull=True)
    assert [(p.person_id, p.kind) for p in current] == [(chair.person_id, PostKind.CHAIR)]
    assert Post.objects.filter(pk=leaving.pk, end_date=on).exists()
    with pytest.raises(ValidationError) as e:
        services.term_changeover(actor=world.user("xinshi_staff"), org=world.org("huilong"), on=on)
    assert e.value.message_dict == {"on": ["The change-over must be after the term began (2026-09-01)."]}
    assert Term.objects.filter(org=world.org("huilong")).count() == 2


def test_a_post_ends_but_stays_in_the_history(world: World) -> None:
    p = post(world, person(world))
    services.post_end(actor=world.user("xinshi_staff"), post=p, on=datetime.date(2025, 1, 1))
    with pytest.raises(ValidationError) as e:
        services.post_end(actor=world.user("xinshi_staff"), post=p, on=datetime.date(2025, 1, 2))
    assert e.value.messages == ["This post has already ended."]
    assert Post.objects.get(pk=p.pk).end_date == datetime.date(2025, 1, 1)


def test_a_person_is_kept_in_a_village_group_or_federation_not_a_province(world: World) -> None:
    assert person(world, "huilong_group1").group_id == world.org("huilong_group1").pk
    assert person(world, "xinshi", "谭梅").township_id == world.org("xinshi").pk


def test_a_photo_is_re_encoded_without_its_location_and_bad_files_are_named(world: World) -> None:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from fulian.people.tests.helpers import jpeg

    exif = Image.Exif()
    exif[0x8825] = {2: (28.0, 0.0, 0.0)}  # GPSInfo: latitude
    exif[0x0112] = 6  # taken sideways
    p = person(world)
    services.person_set_photo(
        actor=world.user("xinshi_staff"), person=p, upload=SimpleUploadedFile("a.jpg", jpeg(400, 300, exif.tobytes()))
    )
    stored = Image.open(io.BytesIO(p.photo.read()))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert stored.size == (300, 400)
    with pytest.raises(ValidationError) as e:
        services.person_set_photo(
            actor=world.user("xinshi_staff"), person=p, upload=SimpleUploadedFile("a.jpg", b"GIF89a no")
        )
    assert "photo" in e.value.message_dict
    big = SimpleUploadedFile("big.jpg", b"\xff" * (16 * 1024 * 1024))
    with pytest.raises(ValidationError) as e:
        services.person_set_photo(actor=world.user("xinshi_staff"), person=p, upload=big)
    assert "MB" in e.value.message_dict["photo"][0]
