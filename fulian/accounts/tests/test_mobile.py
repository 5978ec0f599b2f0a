"""Mobile numbers: validated, unique by keyed hash, encrypted at rest, shown masked."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from fulian.accounts import services
from fulian.accounts.models import User
from fulian.core.personal import decrypt, encrypt, keyed_hash
from fulian.testing.world import World

NEW_PASSWORD = "Qingshan-2026"


def _create(world: World, username: str, mobile: str) -> User:
    return services.user_create(
        actor=world.user("security"),
        username=username,
        full_name="测试",
        org=world.org("huilong"),
        password=NEW_PASSWORD,
        mobile=mobile,
    )


@pytest.mark.parametrize("mobile", ["1390733", "23907330099", "139073300999", "1390733009a", "10907330099"])
def test_a_mobile_number_that_is_not_eleven_digits_starting_1_3_to_9_is_refused(world: World, mobile: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _create(world, "new_person", mobile)
    assert "11-digit" in " ".join(refused.value.message_dict["mobile"])
    assert not User.objects.filter(username="new_person").exists()


@pytest.mark.parametrize("mobile", ["13907339999", "139 0733 9999", "+86 139-0733-9999", "+8613907339999"])
def test_a_mobile_number_is_stored_normalised_however_it_is_written(world: World, mobile: str) -> None:
    account = _create(world, "new_person", mobile)
    account = User.objects.get(pk=account.pk)
    assert account.mobile == "13907339999"
    assert account.mobile_hash == keyed_hash("13907339999")


@pytest.mark.parametrize("mobile", ["13907330001", "+86 139 0733 0001"])
def test_two_accounts_cannot_share_a_mobile_number(world: World, mobile: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _create(world, "new_person", mobile)
    assert "already uses this mobile number" in " ".join(refused.value.message_dict["mobile"])


def test_the_mobile_number_is_encrypted_in_the_database(world: World) -> None:
    account = _create(world, "new_person", "13907339999")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT mobile, mobile_hash FROM {User._meta.db_table} WHERE id = %s", [account.pk])
        stored, stored_hash = cursor.fetchone()
    assert "13907339999" not in stored
    assert "07339999" not in stored
    assert "9999" not in stored.split(":", 1)[0]
    assert stored_hash == keyed_hash("13907339999")
    assert "13907339999" not in stored_hash
    # Two encryptions of one number differ (a fresh nonce each time), so equal numbers do not show.
    again = encrypt("13907339999")
    assert again != stored
    assert decrypt(again) == decrypt(stored) == "13907339999"


def test_account_pages_show_the_mobile_number_masked(world: World) -> None:
    from fulian.accounts.tests.clients import web_client

    client = web_client(world, "security")
    target = world.user("city_admin")
    listing = client.get(reverse("accounts:list"), {"q": "city_admin"}).content.decode()
    detail = client.get(reverse("accounts:detail", kwargs={"pk": target.pk})).content.decode()
    for page in (listing, detail):
        assert "139****0001" in page
        assert "13907330001" not in page


def test_the_masked_mobile_number_keeps_the_first_three_and_last_four_digits(world: World) -> None:
    assert world.user("city_admin").mobile_masked == "139****0001"
    assert User(username="x").mobile_masked == ""
