"""Personal data: validation, encryption at rest, keyed hashes for look-up, masking.

Ciphertexts are ``<key id>:<base64(nonce ‖ AES-256-GCM ciphertext)>``. The first key of
``FULIAN_DATA_KEYS`` encrypts; every listed key decrypts, which is how keys rotate (add the
new key first, run ``manage.py rotate_personal_data``, then drop the old one). Look-ups and
uniqueness use ``keyed_hash`` (HMAC-SHA256 of the normalised value), never a scan of
decrypted values.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from functools import cache
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


@cache
def _keys() -> tuple[str, dict[str, AESGCM]]:
    keys: dict[str, AESGCM] = {}
    current = ""
    for item in settings.FULIAN_DATA_KEYS.split(","):
        key_id, _sep, encoded = item.strip().partition(":")
        raw = base64.b64decode(encoded)
        if not key_id or len(raw) != 32:
            raise ImproperlyConfigured("FULIAN_DATA_KEYS entries must be 'id:base64 of 32 bytes'.")
        keys[key_id] = AESGCM(raw)
        current = current or key_id
    return current, keys


def encrypt(plain: str) -> str:
    key_id, keys = _keys()
    nonce = os.urandom(12)
    sealed = keys[key_id].encrypt(nonce, plain.encode(), key_id.encode())
    return f"{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    key_id, _sep, encoded = token.partition(":")
    raw = base64.b64decode(encoded)
    return _keys()[1][key_id].decrypt(raw[:12], raw[12:], key_id.encode()).decode()


def encrypt_bytes(plain: bytes) -> bytes:
    """A whole file (an uploaded roster full of ID numbers) sealed like a column value."""
    key_id, keys = _keys()
    nonce = os.urandom(12)
    return key_id.encode() + b":" + nonce + keys[key_id].encrypt(nonce, plain, key_id.encode())


def decrypt_bytes(sealed: bytes) -> bytes:
    key_id, _sep, rest = sealed.partition(b":")
    return _keys()[1][key_id.decode()].decrypt(rest[:12], rest[12:], key_id)


def current_key_id() -> str:
    return _keys()[0]


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised value: equal inputs give equal hashes, nothing else leaks."""
    return hmac.new(settings.FULIAN_HASH_KEY.encode(), value.strip().upper().encode(), hashlib.sha256).hexdigest()


def mobile_tail_hash(value: str) -> str:
    """The keyed hash of a phone number's last four digits (``value`` a number or just its last
    four): a search for ``5678`` finds ``138****5678`` by an index, never by decrypting. Its own
    prefix keeps it apart from any other hash of four characters."""
    return keyed_hash("mobile-tail:" + value.strip()[-4:])


def normalise_mobile(value: str) -> str:
    """``+86 138-0733-0001``, ``0086 13807330001``, ``8613807330001`` → ``13807330001``."""
    digits = re.sub(r"[\s()（）-]", "", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            return digits[len(prefix) :]
    if len(digits) == 13 and digits.startswith("86"):
        return digits[2:]
    return digits


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(normalise_mobile(value)):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number starting with 1, such as 13812345678."),
            code="invalid_mobile",
        )


def mask_mobile(value: str) -> str:
    """``13812345678`` → ``138****5678``."""
    return f"{value[:3]}****{value[-4:]}" if len(value) >= 7 else "****"


def mask_id_number(value: str) -> str:
    """``430223199001011234`` → ``430223********1234``."""
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}" if len(value) > 10 else "****"


def mask_name(value: str) -> str:
    """``周桂姣`` → ``周**``: the surname alone, what an erased record's audit event keeps."""
    return f"{value[:1]}{'*' * max(1, len(value) - 1)}" if value else "*"


class EncryptedTextField(models.TextField):
    """A text column holding ciphertext; Python code sees the plain value."""

    description = "Encrypted text"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return None if value is None else decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        return encrypt(str(value))


class PersonalFields:
    """For models with ``mobile``/``mobile_hash``/``mobile_tail_hash`` and ``id_number``/``id_hash`` columns: store a
    value with its keyed hash (for exact look-up and uniqueness), and show it masked."""

    mobile: str | None
    mobile_hash: str | None
    mobile_tail_hash: str | None
    id_number: str | None
    id_hash: str | None

    def set_mobile(self, value: str | None) -> None:
        plain = normalise_mobile(value or "")
        self.mobile = plain or None
        self.mobile_hash = keyed_hash(plain) if plain else None
        self.mobile_tail_hash = mobile_tail_hash(plain) if plain else None

    def set_id_number(self, value: str | None) -> None:
        plain = (value or "").strip().upper()
        self.id_number = plain or None
        self.id_hash = keyed_hash(plain) if plain else None

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile) if self.mobile else ""

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number) if self.id_number else ""


def fill_mobile_tail_hashes(model: Any, *, batch: int = 2000) -> int:
    """Give every row of ``model`` with a phone the keyed hash of its last four digits: run once
    by the migration that adds the column (the one time the numbers are decrypted for it; new
    and changed rows get theirs from ``set_mobile`` and the imports). Batches in id order, one
    UPDATE per row sent as one ``executemany``; returns how many rows it filled."""
    from django.db import connections, router

    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    column = quote(model._meta.get_field("mobile_tail_hash").column)
    update = f"UPDATE {table} SET {column} = %s WHERE {key} = %s"  # noqa: S608 - names from the model, quoted
    rows = model._base_manager.filter(mobile__isnull=False).order_by("pk").values_list("pk", "mobile")
    done, last = 0, None
    while chunk := list((rows if last is None else rows.filter(pk__gt=last))[:batch]):
        with connection.cursor() as cursor:
            cursor.executemany(update, [(mobile_tail_hash(mobile), pk) for pk, mobile in chunk if mobile])
        done += len(chunk)
        last = chunk[-1][0]
    return done
