"""The ledger pages in the scope tests (see ``scope_cases.py``): every URL taking the id of a
claim or an entry of 炎陵县 (its page, each action posted to its own URL, its evidence photo)
answers 404 to 新市镇's staff, and the claims list leaves the claim out for them. The insider's
statuses are those of an empty POST: a confirmation needs nothing typed (302 to the entry), a
refusal and a reversal need a reason (400)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.base import ContentFile

from fulian.people.tests.helpers import jpeg
from fulian.points.choices import EntryKind, Source
from fulian.points.models import Claim, Entry
from fulian.points.services import ledger
from fulian.points.services.ledger import Posting
from fulian.points.tests.scope_cases import INSIDER, OUTSIDER, make_account, make_claim, make_entry
from fulian.testing.scope import ScopeCase


def make_claim_with_evidence(world: Any) -> Claim:
    claim = make_claim(world)
    claim.evidence.save("evidence.jpg", ContentFile(jpeg()), save=True)
    return claim


def make_entry_with_evidence(world: Any) -> Entry:
    account = make_account(world)
    return ledger.post(
        account,
        5,
        Posting(
            kind=EntryKind.EARN,
            reason="照片为证",
            occurred_on=datetime.date(2026, 5, 3),
            key="scope:evidence",
            source=Source.MANUAL,
            evidence=ContentFile(jpeg(), name="evidence.jpg"),
        ),
    )


CASES = [
    ScopeCase(
        model=Claim,
        make=make_claim,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[
            ("points:claim_detail", "get"),
            ("points:claim_confirm", "post", 302),  # nothing to type: confirmed, to its entry
            ("points:claim_refuse", "post", 400),  # no reason
        ],
        lists=[
            ("points:claim_list", lambda c: {}),
            ("points:claim_list", lambda c: {"search": "钟桂兰"}),
            ("points:claim_list", lambda c: {"status": "pending", "search": "zgl"}),
        ],
    ),
    ScopeCase(
        model=Claim,
        make=make_claim_with_evidence,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[("points:claim_evidence", "get")],
    ),
    ScopeCase(
        model=Entry,
        make=make_entry,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[
            ("points:entry_detail", "get"),
            ("points:entry_reverse", "post", 400),  # no reason
        ],
    ),
    ScopeCase(
        model=Entry,
        make=make_entry_with_evidence,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[("points:entry_evidence", "get")],
    ),
]
