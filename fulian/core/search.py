"""One search box for people and households: a name, its pinyin, a phone or an ID number.

What was typed decides how it is matched, so that every kind of search is served by an index
on a table of millions of rows:

- 11 digits that look like a mobile number, or 15/18 characters that look like an ID number:
  an exact match on the keyed hash (never a scan of decrypted values);
- exactly 4 digits: the last four digits of the phone, by the keyed hash of those four (what a
  执委 remembers of a number, and what the masked ``138****5678`` shows);
- Latin letters: the start of a full-pinyin or initials variant (``zth``, ``zhongtaohua``);
- Chinese: the start of the name (the surname comes first: ``钟``, ``钟桃华``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q

from fulian.core.personal import MOBILE_RE, keyed_hash, mobile_tail_hash, normalise_mobile

ID_RE = re.compile(r"^(\d{17}[\dX]|\d{15})$")
LATIN_RE = re.compile(r"^[a-z]+$")
TAIL_RE = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class SearchFields:
    """The columns a model searches: its name, pinyin keys and keyed hashes."""

    name: str = "name"
    keys: str = "search_keys"
    mobile_hash: str | None = "mobile_hash"
    mobile_tail_hash: str | None = "mobile_tail_hash"
    id_hash: str | None = "id_hash"


def search_q(text: str, fields: SearchFields) -> Q | None:
    """The filter for ``text``; None when there is nothing to search for."""
    text = (text or "").strip()
    if not text:
        return None
    compact = re.sub(r"[\s-]", "", text).upper()
    if fields.mobile_hash and MOBILE_RE.match(normalise_mobile(compact)):
        return Q(**{fields.mobile_hash: keyed_hash(normalise_mobile(compact))})
    if fields.mobile_tail_hash and TAIL_RE.match(compact):
        return Q(**{fields.mobile_tail_hash: mobile_tail_hash(compact)})
    if fields.id_hash and ID_RE.match(compact):
        return Q(**{fields.id_hash: keyed_hash(compact)})
    lowered = compact.lower()
    if LATIN_RE.match(lowered):
        return Q(**{f"{fields.keys}__contains": " " + lowered})
    return Q(**{f"{fields.name}__startswith": re.sub(r"\s", "", text)})
