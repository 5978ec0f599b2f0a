"""Personal data: masking, normalising, and key rotation."""

import base64

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from fulian.accounts.models import User
from fulian.core import personal
from fulian.core.testing.world import World

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
    keys = f"{NEW_KEY},dev:ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtbG9uZyE="
    personal._keys.cache_clear()
    try:
        with override_settings(FULIAN_DATA_KEYS=keys):
            call_command("rotate_personal_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
            assert _raw_mobile(user).startswith("k2:")
            assert User.objects.get(pk=user.pk).mobile == "13907330004"
            call_command("rotate_personal_data", stdout=open("/dev/null", "w"))  # noqa: SIM115 - nothing left to do
    finally:
        personal._keys.cache_clear()
