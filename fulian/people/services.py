"""Writes to the roster: people, terms (届), posts, promotion of 骨干, term change-over."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.audit.choices import Action
from fulian.audit.recorder import record
from fulian.core.ancestry import ancestry_of
from fulian.core.archive import clean_reason, refuse_if_archived
from fulian.core.personal import mask_name
from fulian.core.photos import clean_photo
from fulian.core.scoping import AnyUser, can, require
from fulian.core.validation import Problems, clean_identity, clean_mobile, name_keys
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.people.choices import Gender, PostKind
from fulian.people.models import NAME_MAX_LENGTH, Person, Post, Term
from fulian.people.signals import announce_ended

# The fields a person record is written from (forms, API, imports); the rest are derived.
PERSON_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "mobile",
    "ethnicity",
    "political_status",
    "education",
    "occupation",
    "address",
    "skills",
    "backbone_since",
    "volunteer_since",
    "notes",
)
# A person is kept on the books of a village (or its group) or of the federation she works for.
PERSON_LEVELS = {Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GROUP}
POST_LEVELS = {Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE}


def person_values_clean(values: dict[str, Any], *, today: datetime.date | None = None) -> dict[str, Any]:
    """Every field of a person record checked and normalised, or a ValidationError naming each
    field with a problem. Birth date and gender come from the ID number when it is given."""
    values = {key: values.get(key) for key in PERSON_FIELDS if key in values}
    problems = Problems()
    name = "".join(str(values.get("name") or "").split())
    if not name:
        problems.add("name", _("Enter the name."), code="name_required")
    elif len(name) > NAME_MAX_LENGTH:
        problems.add(
            "name", _("A name has at most %(n)d characters."), code="name_too_long", params={"n": NAME_MAX_LENGTH}
        )
    values["name"] = name
    clean_identity(values, problems, today=today)
    clean_mobile(values, problems)
    if not values.get("gender"):
        values["gender"] = Gender.FEMALE
    for field in ("birth_date", "backbone_since", "volunteer_since"):
        when = values.get(field)
        if when and when > (today or timezone.localdate()):
            problems.add(field, _("This date is in the future."), code="date_future")
    problems.raise_if_any()
    return values


def _check_unique_id(person: Person) -> None:
    if not person.id_hash:
        return
    other = Person.objects.filter(id_hash=person.id_hash).exclude(pk=person.pk).values_list("archived_at", flat=True)
    for archived_at in other:
        if archived_at is not None:
            raise ValidationError(
                {"id_number": _("A person with this ID number is in the archive: restore her record instead.")}
            )
        raise ValidationError({"id_number": _("A person with this ID number is already on the roster.")})


def _check_level(org: Organisation, levels: set[Level], field: str = "org") -> None:
    if org.level not in levels:
        raise ValidationError({field: _("%(org)s cannot keep this record.") % {"org": org}})


def _apply(person: Person, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key == "id_number":
            person.set_id_number(value)
        elif key == "mobile":
            person.set_mobile(value)
        else:
            setattr(person, key, "" if value is None and key in {"notes", "address"} else value)
    person.search_keys = name_keys(person.name)


@transaction.atomic
def person_create(*, actor: AnyUser, org: Organisation, values: dict[str, Any]) -> Person:
    """Add a person to the books of ``org`` (a village, its group, or a federation)."""
    require(actor, "people.change", org)
    _check_level(org, PERSON_LEVELS)
    person = Person()
    person.place(org)
    _apply(person, person_values_clean(values))
    _check_unique_id(person)
    person.save()
    return person


@transaction.atomic
def person_update(*, actor: AnyUser, person: Person, values: dict[str, Any], org: Organisation | None = None) -> Person:
    """Change a person's record; ``org`` moves her to another village or federation (both in
    the actor's scope). Only the fields given are changed; an archived record is read-only."""
    require(actor, "people.change", person.org)
    refuse_if_archived(person, person.name)
    if org is not None and org.pk != person.org_id:
        require(actor, "people.change", org)
        _check_level(org, PERSON_LEVELS)
        person.place(org)
    merged = {key: getattr(person, key) for key in PERSON_FIELDS} | values
    # Derived values follow a new ID number unless they were given with it.
    if "id_number" in values:
        for derived in ("birth_date", "gender"):
            if derived not in values:
                merged[derived] = None
    _apply(person, person_values_clean(merged))
    _check_unique_id(person)
    person.save()
    return person


@transaction.atomic
def person_set_photo(*, actor: AnyUser, person: Person, upload: UploadedFile | None) -> Person:
    """Store a new photo (re-encoded, without EXIF), or remove it with ``upload=None``."""
    require(actor, "people.change", person.org)
    refuse_if_archived(person, person.name)
    old = person.photo.name if person.photo else ""
    if upload is None:
        person.photo = None  # type: ignore[assignment]
    else:
        try:
            content = clean_photo(upload)
        except ValidationError as e:
            raise ValidationError({"photo": e.messages}) from None
        person.photo.save(f"{uuid.uuid4().hex}.jpg", content, save=False)
    person.save()
    if old:
        storage = person.photo.storage
        transaction.on_commit(lambda: storage.delete(old))
    return person


def person_reveal(*, actor: AnyUser, person: Person, field: str) -> str:
    """A person's full ID or mobile number, for someone allowed to see it; always audited."""
    require(actor, "people.reveal", person.org)
    if field not in ("id_number", "mobile"):
        raise ValueError(field)
    record(Action.REVEAL, person, changes={"field": field})
    return getattr(person, field) or ""


def open_term(org: Organisation) -> Term | None:
    return Term.objects.filter(org=org, ended_on__isnull=True).first()


@transaction.atomic
def term_open(
    *, actor: AnyUser, org: Organisation, start_date: datetime.date, end_date: datetime.date | None = None
) -> Term:
    """Open the first term (届) of a federation; later terms open through ``term_changeover``."""
    require(actor, "people.change", org)
    _check_level(org, POST_LEVELS)
    if open_term(org) is not None:
        raise ValidationError(_("%(org)s already has an open term; change over to start the next.") % {"org": org})
    if end_date and end_date <= start_date:
        raise ValidationError({"end_date": _("The end date must be after the start date.")})
    last = Term.objects.filter(org=org).order_by("-number").first()
    return Term.objects.create(
        org=org, number=(last.number + 1) if last else 1, start_date=start_date, end_date=end_date
    )


@transaction.atomic
def post_assign(
    *,
    actor: AnyUser,
    person: Person,
    org: Organisation,
    kind: str,
    start_date: datetime.date,
    is_representative: bool = False,
) -> Post:
    """Give ``person`` a post in the open term of ``org`` (opening its first term if it has
    none). A person holds at most one post per term; she may hold posts at several levels."""
    require(actor, "people.change", org)
    _check_level(org, POST_LEVELS)
    refuse_if_archived(person, person.name)
    term = Term.objects.select_for_update().filter(org=org, ended_on__isnull=True).first()
    if term is None:
        term = term_open(actor=actor, org=org, start_date=start_date)
    if start_date < term.start_date:
        raise ValidationError(
            {"start_date": _("The post cannot start before the term (%(date)s).") % {"date": term.start_date}}
        )
    if Post.objects.filter(person=person, term=term).exists():
        raise ValidationError(_("%(person)s already holds a post in this term.") % {"person": person})
    if kind == PostKind.CHAIR and Post.objects.filter(term=term, kind=PostKind.CHAIR, end_date__isnull=True).exists():
        raise ValidationError({"kind": _("This federation already has a chair in this term.")})
    post = Post(person=person, term=term, kind=PostKind(kind), is_representative=is_representative)
    post.start_date = start_date
    post.place(org)
    post.save()
    return post


@transaction.atomic
def post_end(*, actor: AnyUser, post: Post, on: datetime.date) -> Post:
    """End a post (she stepped down, moved away); it stays in her history."""
    require(actor, "people.change", post.org)
    if post.end_date is not None:
        raise ValidationError(_("This post has already ended."))
    if on < post.start_date:
        raise ValidationError({"end_date": _("A post cannot end before it started.")})
    post.end_date = on
    post.save()
    announce_ended([(post.pk, on)])
    return post


@transaction.atomic
def promotion_federation(person: Person) -> Organisation:
    """The federation a backbone activist is promoted into unless another is chosen: her
    village's (a group has no committee of its own), or the federation she is kept at."""
    org = person.org
    return org.parent if org.level == Level.GROUP and org.parent is not None else org


def may_promote(person: Person) -> bool:
    """Whether ``person`` is a backbone activist waiting to be promoted: current, a 骨干, and
    holding no current post (one who holds a post is an executive member already)."""
    return (
        person.archived_at is None
        and person.backbone_since is not None
        and not Post.objects.filter(person=person, end_date__isnull=True).exists()
    )


@transaction.atomic
def backbone_promote(
    *,
    actor: AnyUser,
    person: Person,
    org: Organisation,
    on: datetime.date,
    kind: str = PostKind.MEMBER,
) -> Post:
    """Make a backbone activist (骨干) an executive member (“把骨干培养成执委”): a post in
    ``org``'s open term, from ``on``. Her record, with the date she became a backbone activist,
    stays as it is: her history shows both. Audited as a promotion (besides the new post).
    Refused, with nothing written, when she is not a backbone activist, is archived, or already
    holds a current post (promoted already: two people promoting her at once, the second is
    refused rather than giving her two posts)."""
    require(actor, "people.change", person.org)
    person = _locked(person)
    refuse_if_archived(person, person.name)
    if person.backbone_since is None:
        raise ValidationError(_("%(person)s is not a backbone activist.") % {"person": person})
    if Post.objects.filter(person=person, end_date__isnull=True).exists():
        raise ValidationError(
            _("%(person)s already holds a current post: she is an executive member already.") % {"person": person}
        )
    post = post_assign(actor=actor, person=person, org=org, kind=kind, start_date=on)
    record(
        Action.PROMOTE,
        person,
        actor=actor,
        changes={"post": post.pk, "kind": post.kind, "federation": org.code, "from": on.isoformat()},
    )
    return post


@transaction.atomic
def term_changeover(
    *,
    actor: AnyUser,
    org: Organisation,
    on: datetime.date,
    end_date: datetime.date | None = None,
    carry_over: Iterable[Post] = (),
) -> Term:
    """换届: end the open term of ``org`` and all its current posts on ``on``, open the next
    term from that day, and give the people in ``carry_over`` the same posts in it."""
    require(actor, "people.change", org)
    current = Term.objects.select_for_update().filter(org=org, ended_on__isnull=True).first()
    if current is None:
        raise ValidationError(_("%(org)s has no open term to change over.") % {"org": org})
    if on <= current.start_date:
        raise ValidationError(
            {"on": _("The change-over must be after the term began (%(date)s).") % {"date": current.start_date}}
        )
    carried = [p for p in carry_over if p.term_id == current.pk and p.end_date is None]
    ended = []
    for post in current.posts.filter(end_date__isnull=True):
        post.end_date = on
        post.save()
        ended.append((post.pk, on))
    current.ended_on = on
    current.save()
    term = Term.objects.create(org=org, number=current.number + 1, start_date=on, end_date=end_date)
    ancestry = ancestry_of(org)
    for old in carried:
        post = Post(
            person=old.person,
            term=term,
            kind=old.kind,
            is_representative=old.is_representative,
            start_date=on,
        )
        post.place(org, ancestry)
        post.save()
    # After the carried posts exist: the grid hands their responsibilities on to them.
    announce_ended(ended)
    return term


def _current_posts_in_reach(*, actor: AnyUser, person: Person) -> list[Post]:
    """Her current posts, each of which ``actor`` may end; refused if one lies outside her reach
    (a village chair who is also a county 执委: the county ends that post, or archives her)."""
    posts = list(Post.objects.select_for_update().filter(person=person, end_date__isnull=True).select_related("org"))
    if any(not can(actor, "people.change", post.org) for post in posts):
        raise ValidationError(
            _(
                "%(name)s holds a current post at an organisation outside your area. Staff there must end "
                "that post first (or archive her themselves)."
            )
            % {"name": person.name}
        )
    return posts


def _locked(person: Person) -> Person:
    return Person.objects.select_for_update().select_related("org").get(pk=person.pk)


@transaction.atomic
def person_archive(*, actor: AnyUser, person: Person, reason: str) -> Person:
    """Take a person off the books (she moved away, left the federation, died): gone from every
    list, search and export, kept in history, restorable. Her current posts end today (each an
    audited change; they stay in the term's history); refused if one is outside the actor's
    reach."""
    require(actor, "people.change", person.org)
    reason = clean_reason(reason)
    person = _locked(person)
    refuse_if_archived(person, person.name)
    today = timezone.localdate()
    posts = _current_posts_in_reach(actor=actor, person=person)
    for post in posts:
        post.end_date = max(today, post.start_date)
        post.save()
    announce_ended((post.pk, max(today, post.start_date)) for post in posts)
    now = timezone.now()
    Person.objects.filter(pk=person.pk).update(
        archived_at=now, archived_by=actor, archive_reason=reason, updated_at=now
    )
    person.refresh_from_db()
    record(Action.ARCHIVE, person, actor=actor, changes={"reason": reason, "posts_ended": len(posts)})
    return person


@transaction.atomic
def person_restore(*, actor: AnyUser, person: Person, reason: str) -> Person:
    """Bring an archived person back onto the lists. Posts ended by the archiving stay ended:
    give her posts again if she holds them again."""
    require(actor, "people.change", person.org)
    reason = clean_reason(reason)
    person = _locked(person)
    if person.erased_at is not None:
        raise ValidationError(_("An erased record cannot be restored."))
    if person.archived_at is None:
        raise ValidationError(_("%(name)s is not archived.") % {"name": person.name})
    Person.objects.filter(pk=person.pk).update(
        archived_at=None, archived_by=None, archive_reason="", updated_at=timezone.now()
    )
    person.refresh_from_db()
    record(Action.RESTORE, person, actor=actor, changes={"reason": reason})
    return person


# Everything that says who she is goes; what is left is an anonymous shell that her posts (the
# history of each term) still point at. Gender is kept: alone, it identifies nobody.
_ERASED_PERSON = {
    "name": "",
    "search_keys": "",
    "birth_date": None,
    "id_number": None,
    "id_hash": None,
    "mobile": None,
    "mobile_hash": None,
    "mobile_tail_hash": None,
    "ethnicity": "",
    "political_status": "",
    "education": "",
    "occupation": "",
    "address": "",
    "skills": "",
    "photo": "",
    "backbone_since": None,
    "volunteer_since": None,
    "notes": "",
    "account": None,
    "archive_reason": "",
}


@transaction.atomic
def person_erase(*, actor: AnyUser, person: Person, reason: str) -> Person:
    """Erase a person for good on a personal-information deletion request (PIPL art. 47):
    her personal fields, photo file, search keys and hashes are destroyed; her current posts end
    today and every post stays as anonymous history. Irreversible. The audit log keeps only the
    fact, her masked name and the reason; earlier events are kept as the law requires (see
    docs/decisions.md). Administrators only."""
    require(actor, "people.erase", person.org)
    reason = clean_reason(reason)
    person = _locked(person)
    if person.erased_at is not None:
        raise ValidationError(_("This record was erased; it cannot be changed."))
    today = timezone.localdate()
    posts = _current_posts_in_reach(actor=actor, person=person)
    now = timezone.now()
    # Written with update(), not save(): a save would record the old values (her name) in a
    # new audit event, the opposite of erasing them.
    for post in posts:
        Post.objects.filter(pk=post.pk).update(end_date=max(today, post.start_date), updated_at=now)
    announce_ended((post.pk, max(today, post.start_date)) for post in posts)
    masked, photo = mask_name(person.name), person.photo.name if person.photo else ""
    Person.objects.filter(pk=person.pk).update(
        **_ERASED_PERSON,
        archived_at=person.archived_at or now,
        archived_by=person.archived_by if person.archived_at else actor,
        erased_at=now,
        updated_at=now,
    )
    if photo:
        storage = person.photo.storage
        transaction.on_commit(lambda: storage.delete(photo))
    record(
        Action.ERASE,
        person,
        actor=actor,
        object_repr=masked,
        changes={"reason": reason, "posts_ended": len(posts), "posts_kept": person.posts.count()},
    )
    person.refresh_from_db()
    return person
