"""Conflicts of interest: nobody scores her own household, a household of her relatives, or a
household she nominated. Found for many raters and households at once, so that assigning
raters to a village costs a few queries, and checked again when a sheet arrives.

- her own household: she is its head or one of its members (the same ID number), or its
  phone is hers;
- her relatives: a household headed by, or holding, a member of her own household (a son who
  set up his own household), and any household she or staff declared (``Conflict``);
- she nominated it: a nomination of this campaign by her account, her person or her phone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from fulian.campaigns.choices import ConflictReason
from fulian.campaigns.models import Conflict, Nomination
from fulian.households.models import Household, HouseholdMember


def conflicts(people: Iterable[Any], household_ids: Iterable[int], *, campaign: Any) -> dict[tuple[int, int], str]:
    """``{(person id, household id): reason}`` for every pair among ``people`` and the
    households that one of them may not score in ``campaign``."""
    people = list(people)
    wanted = set(household_ids)
    if not people or not wanted:
        return {}
    found: dict[tuple[int, int], str] = {}
    by_id_hash = defaultdict(set)
    by_mobile = defaultdict(set)
    by_account: dict[int, int] = {}
    for person in people:
        if person.id_hash:
            by_id_hash[person.id_hash].add(person.pk)
        if person.mobile_hash:
            by_mobile[person.mobile_hash].add(person.pk)
        if person.account_id:
            by_account[person.account_id] = person.pk

    # Her own households: she heads one, lives in one, or its phone is hers (anywhere in the
    # registry: her relatives' households are found from them).
    own: dict[int, set[int]] = defaultdict(set)  # household id → people
    for household_id, id_hash, mobile_hash in Household.objects.filter(
        Q(id_hash__in=list(by_id_hash)) | Q(mobile_hash__in=list(by_mobile))
    ).values_list("pk", "id_hash", "mobile_hash"):
        own[household_id] |= by_id_hash.get(id_hash, set()) | by_mobile.get(mobile_hash, set())
    for household_id, id_hash in HouseholdMember.objects.filter(id_hash__in=list(by_id_hash)).values_list(
        "household_id", "id_hash"
    ):
        own[household_id] |= by_id_hash[id_hash]
    for household_id, owners in own.items():
        if household_id in wanted:
            for person_id in owners:
                found[(person_id, household_id)] = ConflictReason.OWN

    # Relatives: the other households of the people of her own households.
    kin: dict[str, set[int]] = defaultdict(set)  # id hash of a relative → people
    for household_id, id_hash in (
        HouseholdMember.objects.filter(household_id__in=list(own))
        .exclude(id_hash=None)
        .values_list("household_id", "id_hash")
    ):
        kin[id_hash or ""] |= own[household_id]
    for household_id, id_hash in (
        Household.objects.filter(pk__in=list(own)).exclude(id_hash=None).values_list("pk", "id_hash")
    ):
        kin[id_hash or ""] |= own[household_id]
    if kin:
        related = list(
            Household.objects.filter(pk__in=wanted, id_hash__in=list(kin)).values_list("pk", "id_hash")
        ) + list(
            HouseholdMember.objects.filter(household_id__in=wanted, id_hash__in=list(kin)).values_list(
                "household_id", "id_hash"
            )
        )
        for household_id, id_hash in related:
            for person_id in kin.get(id_hash or "", set()):
                found.setdefault((person_id, household_id), ConflictReason.RELATIVE)

    for person_id, household_id, reason in Conflict.objects.filter(
        person__in=people, household_id__in=wanted
    ).values_list("person_id", "household_id", "reason"):
        found.setdefault((person_id, household_id), reason)

    nominated = Nomination.objects.filter(campaign=campaign, household_id__in=wanted).filter(
        Q(nominator_person__in=people) | Q(nominated_by_id__in=list(by_account)) | Q(phone_hash__in=list(by_mobile))
    )
    for household_id, person_id, account_id, phone_hash in nominated.values_list(
        "household_id", "nominator_person_id", "nominated_by_id", "phone_hash"
    ):
        nominators = {person_id} | {by_account.get(account_id)} | by_mobile.get(phone_hash, set())
        for nominator in nominators - {None}:
            found.setdefault((nominator, household_id), ConflictReason.NOMINATOR)  # type: ignore[arg-type]
    return found


def conflict_of(person: Any, household_id: int, *, campaign: Any) -> str | None:
    """The reason ``person`` may not score the household in ``campaign``, or None."""
    return conflicts([person], [household_id], campaign=campaign).get((person.pk, household_id))
