"""Who holds an account: a person through her login, and her household's through her."""

from __future__ import annotations

from typing import Any

from fulian.core.scoping import AnyUser
from fulian.people.models import Person
from fulian.points.choices import HolderKind
from fulian.points.models import Account


def person_of(user: AnyUser) -> Person | None:
    """The person a login belongs to (a 执委 or volunteer who signs in), if any."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    cached = getattr(user, "_fulian_person", False)
    if cached is False:
        cached = Person.objects.filter(account_id=user.pk, archived_at__isnull=True).select_related("org").first()
        user._fulian_person = cached  # type: ignore[union-attr]
    return cached  # type: ignore[return-value]


def own_accounts(user: AnyUser) -> list[Account]:
    """Her own account and her household's, opened on first use (the passbook shows both)."""
    from fulian.points.services import ledger
    from fulian.points.services.earning import household_of

    person = person_of(user)
    if person is None:
        return []
    accounts = [ledger.account_for(person=person)]
    household = household_of(person)
    if household is not None:
        accounts.append(ledger.account_for(household=household))
    return accounts


def holds(user: AnyUser, account: Any) -> bool:
    """Whether ``user`` holds ``account``: it is hers, or her household's."""
    person = person_of(user)
    if person is None:
        return False
    if account.kind == HolderKind.PERSON:
        return bool(account.person_id == person.pk)
    from fulian.points.services.earning import household_of

    household = household_of(person)
    return household is not None and account.household_id == household.pk
