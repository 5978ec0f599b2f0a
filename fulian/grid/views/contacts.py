"""Grid pages: a 执委's own households (``mine``) and the duty record (履职记录, the grid's
contact) — recording what she did on her phone on a weak network, editing or correcting it
(``fulian.duties.views.records`` opens the same form), the staff's list, one record and its
photos, and the search of households and people the form offers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fulian.accounts.http import AuthedRequest
from fulian.core.filters import MAX_ID, SEARCH_MAX_LENGTH
from fulian.core.forms import add_service_errors
from fulian.core.paging import page_of
from fulian.core.personal import mask_mobile
from fulian.core.scoping import AnyUser, can, can_anywhere, get_visible_or_404
from fulian.core.views import render_list, requires_somewhere
from fulian.core.words import list_text
from fulian.duties.services.records import may_edit, record_edit
from fulian.grid import coverage, services
from fulian.grid.choices import RecordStatus
from fulian.grid.contact_forms import ContactFilter, ContactForm, places_for
from fulian.grid.mine import households_of, summary
from fulian.grid.models import Contact, ContactPhoto
from fulian.households.models import Household, HouseholdMember
from fulian.orgs.choices import Level
from fulian.people.models import Person, Post

MINE_PER_PAGE = 30
# Her own households offered as boxes when the form is opened for none in particular.
OFFERED_MAX = 300
# The 执委 staff choose from, when the form is not for a household (a city has 20,000).
PEOPLE_MAX = 500
# Households and people the form's search offers at once.
FOUND_MAX = 10
DRAFT_SAVED = "grid_contact_draft_saved"


def own_person(user: AnyUser) -> Person | None:
    """The person (a 执委) the account belongs to, if it is linked to one on the books."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(account_id=user.pk, archived_at__isnull=True).select_related("org").first()


def _saved_draft(request: AuthedRequest) -> str:
    """The draft key of a record just saved, once: the page's script forgets that draft."""
    return str(request.session.pop(DRAFT_SAVED, ""))


@require_GET
def mine(request: AuthedRequest) -> HttpResponse:
    """A 执委's own households on her phone: the due first, each with a one-tap "record"."""
    person = own_person(request.user)
    context: dict[str, Any] = {"person": person, "draft_saved": _saved_draft(request)}
    if person is None:
        return render(request, "grid/mine.html", context)
    on = coverage.today()
    households = households_of(person, on=on).visible_to(request.user, "grid.view")
    counts = summary(households, on=on)
    due_only = request.GET.get("due") == "1"
    if due_only:
        households = households.filter(coverage.uncontacted_q(on))
    page = page_of(
        households.select_related("org").only(
            "pk", "head_name", "address", "mobile", "last_contact_on", "org__display_name"
        ),
        request.GET,
        MINE_PER_PAGE,
    )
    for household in page.items:
        household.days_ago = (on - household.last_contact_on).days if household.last_contact_on else None
        household.phone = mask_mobile(household.mobile) if household.mobile else ""
    context |= {"counts": counts, "page": page, "due_only": due_only, "days": coverage.UNCONTACTED_DAYS}
    return render(request, "grid/mine.html", context)


def _ids(values: list[str]) -> list[str]:
    """Ids as given, in order, once each; what is not an id stays (it is not found)."""
    seen: list[str] = []
    for value in values:
        value = value.strip()
        if value and value not in seen:
            seen.append(value)
    return seen


def _valid(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isascii() and i.isdigit() and int(i) <= MAX_ID]


def _visible_households(user: AnyUser, ids: list[str]) -> dict[str, Household]:
    valid = _valid(ids)
    if not valid:
        return {}
    rows = Household.objects.visible_to(user, "grid.contact").select_related("org").filter(pk__in=valid)
    return {str(h.pk): h for h in rows}


def _visible_members(user: AnyUser, ids: list[str]) -> dict[str, HouseholdMember]:
    valid = _valid(ids)
    if not valid:
        return {}
    rows = HouseholdMember.objects.visible_to(user, "grid.contact").select_related("household").filter(pk__in=valid)
    return {str(m.pk): m for m in rows}


def found_rows(user: AnyUser, text: str) -> tuple[list[Household], list[HouseholdMember]]:
    """Households and household members of the user's area matching ``text`` (a name, its
    pinyin or initials: ``zjg`` finds 周建国), a few of each."""
    text = " ".join((text or "").split())[:SEARCH_MAX_LENGTH]
    if not text:
        return [], []
    households = Household.objects.visible_to(user, "grid.contact").search(text).select_related("org").order_by("id")
    members = (
        HouseholdMember.objects.visible_to(user, "grid.contact").search(text).select_related("household").order_by("id")
    )
    return list(households[:FOUND_MAX]), list(members[:FOUND_MAX])


def _people_for(user: AnyUser, households: list[Household], own: Person | None) -> QuerySet[Person]:
    """The 执委 staff may record for: people with a current post in their area, at the
    households' villages when the form is for households."""
    posts = Post.objects.visible_to(user, "grid.contact").current()
    villages = {h.village_id for h in households if h.village_id}
    if villages:
        posts = posts.filter(org_id__in=villages)
    people = Person.objects.filter(pk__in=posts.values("person_id"), archived_at__isnull=True)
    if own is not None:
        people = people | Person.objects.filter(pk=own.pk)
    return people.order_by("name", "id")


def _home_village(person: Person | None) -> int | None:
    if person is None:
        return None
    return person.village_id or (person.org_id if person.org.level == Level.VILLAGE else None)


def _initial_of(record: Contact) -> dict[str, Any]:
    """The form's values for an existing record (edited, or copied into its correction)."""
    place = record.org if record.org.level in (Level.VILLAGE, Level.GROUP) else None
    return {
        "work_mode": record.work_mode,
        "happened_on": record.happened_on,
        "half_hours": record.half_hours,
        "mode": record.mode,
        "place": place,
        "whom": record.whom,
        "location": record.location,
        "note": record.note,
    }


def record_page(request: AuthedRequest, *, record: Contact | None = None, correcting: bool = False) -> HttpResponse:
    """The one duty record form: a new record (``?household=1&household=2`` for those
    households), a record edited while it waits or was returned (``record``), or a confirmed
    record corrected by a new one with a reason (``record`` and ``correcting``). A 执委 records
    as herself; staff choose the 执委 they record for (a new record only)."""
    user = request.user
    if not can_anywhere(user, "grid.contact"):
        raise PermissionDenied(_("This page is not part of your role."))
    own = own_person(user)
    staff = can_anywhere(user, "grid.assign")
    editing = record is not None and not correcting
    if record is None and own is None and not staff:
        return render(request, "grid/contact_form.html", {"no_person": True})
    person = record.person if record is not None else own
    posted = request.method == "POST"
    initial: dict[str, Any] = {"happened_on": coverage.today()}
    url_ids: list[str] = []
    if record is not None:
        offered = list(record.households.visible_to(user, "grid.contact").select_related("org"))
        members = list(record.members.visible_to(user, "grid.contact").select_related("household"))
        initial |= _initial_of(record) | {"household": [str(h.pk) for h in offered]}
        initial["member"] = [str(m.pk) for m in members]
        if correcting:
            initial["happened_on"] = record.happened_on
    else:
        url_ids = _ids(request.GET.getlist("household"))
        url_found = _visible_households(user, url_ids)
        if len(url_found) < len(url_ids):
            raise Http404(_("Not found."))
        offered = [url_found[i] for i in url_ids]
        members = []
        initial["household"] = url_ids
        if url_ids:
            initial["whom"] = list_text(h.head_name for h in offered)
        elif own is not None:
            offered = list(households_of(own).visible_to(user, "grid.contact").select_related("org")[:OFFERED_MAX])
    visible = {str(h.pk): h for h in offered}
    visible_members = {str(m.pk): m for m in members}
    if posted:
        visible |= _visible_households(user, _ids(request.POST.getlist("household")))
        visible_members |= _visible_members(user, _ids(request.POST.getlist("member")))
    finding = posted and "find" in request.POST
    found_households, found_members = found_rows(user, request.POST.get("find_text", "")) if finding else ([], [])
    # Boxes ticked from a search stay on the page with the rest (a form sent back with an error).
    shown = {str(h.pk) for h in offered}
    offered += [h for key, h in visible.items() if key not in shown] + [
        h for h in found_households if str(h.pk) not in visible
    ]
    shown_members = {str(m.pk) for m in members}
    members += [m for key, m in visible_members.items() if key not in shown_members] + [
        m for m in found_members if str(m.pk) not in visible_members
    ]
    visible |= {str(h.pk): h for h in found_households}
    visible_members |= {str(m.pk): m for m in found_members}
    people = None
    capped = False
    if record is None and staff:
        people = _people_for(user, offered if url_ids else [], own)
        ids = list(people.values_list("pk", flat=True)[: PEOPLE_MAX + 1])
        capped = len(ids) > PEOPLE_MAX
        if capped:
            people = Person.objects.filter(pk__in=ids[:PEOPLE_MAX]).order_by("name", "id")
        if own is not None:
            initial["person"] = own.pk
    around = {v for v in [_home_village(person), *(h.village_id for h in offered)] if v}
    if record is not None and record.village_id:
        around.add(record.village_id)
    form = ContactForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        offered=offered,
        visible=visible,
        members=members,
        visible_members=visible_members,
        people=people,
        places=places_for(user, sorted(around)),
        editing=editing,
        correcting=correcting,
        initial=initial,
    )
    if capped:
        form.fields["person"].help_text = _(
            "Only the first %(n)d by name are listed: open this form from a household's page to choose "
            "among the executive members of its village."
        ) % {"n": PEOPLE_MAX}
    if record is not None:
        draft_key = f"fulian-contact:{user.pk}:{'correct' if correcting else 'edit'}-{record.pk}"
    else:
        draft_key = f"fulian-contact:{user.pk}:{'-'.join(url_ids)}"
    if posted and not finding and form.is_valid():
        saved = _save(request, form, record=record, correcting=correcting, person=person)
        if saved is not None:
            request.session[DRAFT_SAVED] = draft_key
            return _after_save(saved, form.cleaned_data, record=record, url_ids=url_ids, staff=people is not None)
    if finding:
        form.errors.clear()  # a search is not a submission: no errors yet
    context = {
        "form": form,
        "draft_key": draft_key,
        "restore_draft": not posted,
        "records_for_others": people is not None,
        "person": person,
        "record": record,
        "correcting": correcting,
        "editing": editing,
        "finding": finding,
        "found_text": request.POST.get("find_text", "") if finding else "",
        "find_url": reverse("grid:contact_find"),
        "back_url": _back_url(record, staff=people is not None, own=own),
    }
    return render(request, "grid/contact_form.html", context, status=400 if posted and form.errors else 200)


def _back_url(record: Contact | None, *, staff: bool, own: Person | None) -> str:
    if record is not None:
        return reverse("grid:contact_detail", args=[record.pk])
    if staff:
        return reverse("grid:contact_list")
    return reverse("duties:records_mine") if own is not None else reverse("grid:mine")


def _save(
    request: AuthedRequest, form: ContactForm, *, record: Contact | None, correcting: bool, person: Person | None
) -> Contact | None:
    """The record through its service; None when the service refused it (errors on the form)."""
    data = form.cleaned_data
    try:
        if record is not None and not correcting:
            saved = record_edit(
                actor=request.user,
                record=record,
                work_mode=data["work_mode"],
                happened_on=data["happened_on"],
                half_hours=data["half_hours"],
                households=data["household"],
                whom=data["whom"],
                location=data["location"],
                note=data["note"],
            )
            messages.success(request, _("Saved: the record waits for review again."))
            return saved
        saved = services.contact_record(
            actor=request.user,
            person=data.get("person") or person,
            mode=data["mode"],
            happened_on=data["happened_on"],
            households=data["household"],
            members=data.get("member", []),
            whom=data["whom"],
            location=data["location"],
            note=data["note"],
            photos=data.get("photos", []),
            work_mode=data["work_mode"],
            half_hours=data["half_hours"],
            place=data.get("place"),
            client_key=data.get("client_key"),
            supersedes=record if correcting else None,
            correction_reason=data.get("correction_reason", ""),
        )
    except ValidationError as e:
        add_service_errors(form, e)
        return None
    messages.success(request, _("Recorded: %(record)s.") % {"record": _summary_of(saved, data["household"])})
    return saved


def _after_save(
    saved: Contact, data: dict[str, Any], *, record: Contact | None, url_ids: list[str], staff: bool
) -> HttpResponse:
    if record is not None:
        return redirect("grid:contact_detail", pk=saved.pk)
    if not staff:
        return redirect("grid:mine" if url_ids else "duties:records_mine")
    if len(data["household"]) == 1:
        return redirect("households:detail", pk=data["household"][0].pk)
    return redirect("grid:contact_detail", pk=saved.pk)


def contact_create(request: AuthedRequest) -> HttpResponse:
    """Record a duty (``?household=1&household=2`` for those households)."""
    return record_page(request)


@require_GET
def contact_find(request: AuthedRequest) -> HttpResponse:
    """The form's search (``?q=zjg``): households and people of the user's area, as boxes to
    tick (``grid/_contact_found.html``)."""
    if not can_anywhere(request.user, "grid.contact"):
        raise PermissionDenied(_("This page is not part of your role."))
    households, members = found_rows(request.user, request.GET.get("q", ""))
    context = {"households": households, "members": members, "searched": bool(request.GET.get("q", "").strip())}
    return render(request, "grid/_contact_found.html", context)


def _summary_of(contact: Contact, households: list[Household]) -> str:
    what = contact.work_mode.label if contact.work_mode is not None else contact.get_mode_display()
    if households:
        return f"{what} · {list_text(h.head_name for h in households)}"
    return f"{what} · {contact.whom}" if contact.whom else what


def _visible_households_q(user: AnyUser) -> QuerySet[Household]:
    return Household.objects.with_archived().visible_to(user, "grid.view").only("pk", "head_name", "erased_at")


@requires_somewhere("grid.view")
def contact_list(request: AuthedRequest) -> HttpResponse:
    """Duty records in the user's area, newest first, by organisation, 执委, household, work
    mode, month, review status, how and when."""
    filters = ContactFilter.of(request.GET, user=request.user)
    contacts = filters.qs.select_related("person", "org", "work_mode").prefetch_related(
        Prefetch("households", queryset=_visible_households_q(request.user))
    )
    context = {"form": filters.form, "can_record": can_anywhere(request.user, "grid.contact")}
    return render_list(request, "grid/contact_list.html", "grid/_contact_results.html", contacts, context)


def contact_of(request: AuthedRequest, pk: int) -> Contact:
    """One record the user may see (404 otherwise)."""
    return get_visible_or_404(
        Contact.objects.select_related("person", "org", "created_by", "work_mode", "reviewed_by"), request.user, pk=pk
    )


def may_correct(user: AnyUser, record: Contact) -> bool:
    """A confirmed record of hers (or staff's for her) with no correction under way."""
    if record.status != RecordStatus.CONFIRMED:
        return False
    own = getattr(getattr(user, "person", None), "pk", None)
    return own == record.person_id or can(user, "grid.assign", record.org)


@require_GET
def contact_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One duty record: what, when, how long, with whom, its review, the corrections both ways."""
    contact = contact_of(request, pk)
    visible = Contact.objects.visible_to(request.user)
    corrections = list(visible.filter(supersedes=contact).order_by("id"))
    pending_correction = any(c.status != RecordStatus.RETURNED for c in corrections)
    context = {
        "contact": contact,
        "households": list(contact.households.filter(pk__in=_visible_households_q(request.user).values("pk"))),
        "members": list(contact.members.visible_to(request.user).select_related("household")),
        "photos": list(contact.photos.all()),
        "corrects": visible.filter(pk=contact.supersedes_id).first() if contact.supersedes_id else None,
        "corrections": corrections,
        "can_edit": may_edit(request.user, contact),
        "can_correct": may_correct(request.user, contact) and not pending_correction,
        "draft_saved": _saved_draft(request),
    }
    return render(request, "grid/contact_detail.html", context)


@require_GET
def contact_photo(request: AuthedRequest, pk: int) -> FileResponse:
    """A record's photo, for those who may see the record (media files are never served directly)."""
    photo = ContactPhoto.objects.filter(pk=pk).first()
    if photo is None:
        raise Http404(_("Not found."))
    contact_of(request, photo.contact_id)
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


urlpatterns: list[URLPattern] = [
    path("mine/", mine, name="mine"),
    path("contacts/", contact_list, name="contact_list"),
    path("contacts/new/", contact_create, name="contact_create"),
    path("contacts/find/", contact_find, name="contact_find"),
    path("contacts/<int:pk>/", contact_detail, name="contact_detail"),
    path("contacts/photos/<int:pk>/", contact_photo, name="contact_photo"),
]
