"""Personal data: masking, normalising, and key rotation."""

import base64
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from fulian.accounts.models import User
from fulian.core import personal
from fulian.households.models import Household
from fulian.households.tests.helpers import household
from fulian.testing.ids import id_number
from fulian.testing.world import World

NEW_KEY = "k2:" + base64.b64encode(b"another-32-byte-key-for-rotation").decode()


@pytest.mark.parametrize(
    "typed", ["13807330001", "138 0733 0001", "+86 138-0733-0001", "0086 13807330001", "8613807330001", "(138)07330001"]
)
def test_mobile_numbers_are_normalised_however_they_are_written(typed: str) -> None:
    assert personal.normalise_mobile(typed) == "13807330001"


def test_masks_keep_only_the_ends() -> None:
    assert personal.mask_mobile("13807330001") == "138****0001"
    assert personal.mask_id_number("43022319900101123X") == "430223********123X"


def _raw_mobile(user: User) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM accounts_user WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


def test_rotation_re_encrypts_every_value_with_the_new_key(world: World) -> None:
    user = world.user("xinshi_staff")
    assert _raw_mobile(user).startswith("dev:")
    numbers = [id_number("430223", f"1960010{n}", "M") for n in range(1, 6)]
    for n, number in enumerate(numbers):
        household(world, head=f"周{n}", id_number=number, mobile=f"1390733000{n}")
    keys = f"{NEW_KEY},dev:ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtbG9uZyE="
    personal._keys.cache_clear()
    try:
        with override_settings(FULIAN_DATA_KEYS=keys):
            out = io.StringIO()
            call_command("rotate_personal_data", "--batch", "2", stdout=out)  # five households: three batches
            assert _raw_mobile(user).startswith("k2:")
            assert User.objects.get(pk=user.pk).mobile == "13907330004"
            with connection.cursor() as cursor:
                cursor.execute("SELECT id_number, mobile FROM households_household")
                assert all(a.startswith("k2:") and b.startswith("k2:") for a, b in cursor.fetchall())
            stored = Household.objects.order_by("id")
            assert [h.id_number for h in stored] == numbers
            assert [h.mobile for h in stored] == [f"1390733000{n}" for n in range(5)]
            assert "Re-encrypted" in out.getvalue()
            call_command("rotate_personal_data", stdout=out)  # nothing left to do
            assert out.getvalue().rstrip().endswith("Re-encrypted 0 values with key k2.")
    finally:
        personal._keys.cache_clear()
