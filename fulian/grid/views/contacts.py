"""Grid pages: a 执委's own households (``mine``) and the contact record — recording what she
did (on her phone, on a weak network), the list of contacts, one contact and its photos."""

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
from fulian.core.filters import MAX_ID
from fulian.core.forms import add_service_errors
from fulian.core.paging import page_of
from fulian.core.personal import mask_mobile
from fulian.core.scoping import AnyUser, can_anywhere, get_visible_or_404
from fulian.core.views import render_list, requires_somewhere
from fulian.core.words import list_text
from fulian.grid import coverage, services
from fulian.grid.contact_forms import ContactFilter, ContactForm
from fulian.grid.mine import households_of, summary
from fulian.grid.models import Contact, ContactPhoto
from fulian.households.models import Household
from fulian.people.models import Person, Post

MINE_PER_PAGE = 30
# Her own households offered as boxes when the form is opened for none in particular.
OFFERED_MAX = 300
# The 执委 staff choose from, when the form is not for a household (a city has 20,000).
PEOPLE_MAX = 500
DRAFT_SAVED = "grid_contact_draft_saved"


def own_person(user: AnyUser) -> Person | None:
    """The person (a 执委) the account belongs to, if it is linked to one on the books."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(account_id=user.pk, archived_at__isnull=True).select_related("org").first()


def _saved_draft(request: AuthedRequest) -> str:
    """The draft key of a contact just saved, once: the page's script forgets that draft."""
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
    """Household ids as given, in order, once each; what is not an id stays (it is not found)."""
    seen: list[str] = []
    for value in values:
        value = value.strip()
        if value and value not in seen:
            seen.append(value)
    return seen


def _visible_households(user: AnyUser, ids: list[str]) -> dict[str, Household]:
    valid = [int(i) for i in ids if i.isascii() and i.isdigit() and int(i) <= MAX_ID]
    if not valid:
        return {}
    rows = Household.objects.visible_to(user, "grid.contact").select_related("org").filter(pk__in=valid)
    return {str(h.pk): h for h in rows}


def _people_for(user: AnyUser, households: list[Household], own: Person | None) -> QuerySet[Person]:
    """The 执委 staff may record a contact for: people with a current post in their area, at
    the households' villages when the form is for households."""
    posts = Post.objects.visible_to(user, "grid.contact").current()
    villages = {h.village_id for h in households if h.village_id}
    if villages:
        posts = posts.filter(org_id__in=villages)
    people = Person.objects.filter(pk__in=posts.values("person_id"), archived_at__isnull=True)
    if own is not None:
        people = people | Person.objects.filter(pk=own.pk)
    return people.order_by("name", "id")


def contact_create(request: AuthedRequest) -> HttpResponse:
    """Record a contact (``?household=1&household=2`` for those households). A 执委 records as
    herself for the households in her reach; staff choose the 执委 they record for."""
    user = request.user
    if not can_anywhere(user, "grid.contact"):
        raise PermissionDenied(_("This page is not part of your role."))
    own = own_person(user)
    staff = can_anywhere(user, "grid.assign")
    if own is None and not staff:
        return render(request, "grid/contact_form.html", {"no_person": True})
    url_ids = _ids(request.GET.getlist("household"))
    visible = _visible_households(user, url_ids)
    if len(visible) < len(url_ids):
        raise Http404(_("Not found."))
    offered = [visible[i] for i in url_ids]
    if not offered and own is not None:
        mine_rows = households_of(own).visible_to(user, "grid.contact").select_related("org")[:OFFERED_MAX]
        offered = list(mine_rows)
        visible = {str(h.pk): h for h in offered}
    if request.method == "POST":
        visible |= _visible_households(user, _ids(request.POST.getlist("household")))
    initial: dict[str, Any] = {"happened_on": coverage.today(), "household": url_ids}
    if url_ids:
        initial["whom"] = list_text(h.head_name for h in offered)
    people = _people_for(user, offered if url_ids else [], own) if staff else None
    capped = False
    if people is not None:
        ids = list(people.values_list("pk", flat=True)[: PEOPLE_MAX + 1])
        capped = len(ids) > PEOPLE_MAX
        if capped:
            people = Person.objects.filter(pk__in=ids[:PEOPLE_MAX]).order_by("name", "id")
    if people is not None and own is not None:
        initial["person"] = own.pk
    form = ContactForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        offered=offered,
        visible=visible,
        people=people,
        initial=initial,
    )
    if capped:
        form.fields["person"].help_text = _(
            "Only the first %(n)d by name are listed: open this form from a household's page to choose "
            "among the executive members of its village."
        ) % {"n": PEOPLE_MAX}
    draft_key = f"fulian-contact:{user.pk}:{'-'.join(url_ids)}"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contact = services.contact_record(
                actor=user,
                person=data.get("person") or own,
                mode=data["mode"],
                happened_on=data["happened_on"],
                households=data["household"],
                whom=data["whom"],
                location=data["location"],
                note=data["note"],
                photos=data["photos"],
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(
                request, _("Recorded: %(contact)s.") % {"contact": _summary_of(contact, data["household"])}
            )
            request.session[DRAFT_SAVED] = draft_key
            if people is None:
                return redirect("grid:mine")
            if len(data["household"]) == 1:
                return redirect("households:detail", pk=data["household"][0].pk)
            return redirect("grid:contact_detail", pk=contact.pk)
    context = {
        "form": form,
        "draft_key": draft_key,
        "restore_draft": request.method != "POST",
        "records_for_others": people is not None,
        "person": own,
        "back_url": reverse("grid:mine") if people is None else reverse("grid:contact_list"),
    }
    return render(request, "grid/contact_form.html", context, status=400 if form.errors else 200)


def _summary_of(contact: Contact, households: list[Household]) -> str:
    what = contact.get_mode_display()
    if households:
        return f"{what} · {list_text(h.head_name for h in households)}"
    return f"{what} · {contact.whom}"


def _visible_households_q(user: AnyUser) -> QuerySet[Household]:
    return Household.objects.with_archived().visible_to(user, "grid.view").only("pk", "head_name", "erased_at")


@requires_somewhere("grid.view")
def contact_list(request: AuthedRequest) -> HttpResponse:
    """Contacts in the user's area, newest first, by organisation, 执委, household, how, when."""
    filters = ContactFilter.of(request.GET, user=request.user)
    contacts = filters.qs.select_related("person", "org").prefetch_related(
        Prefetch("households", queryset=_visible_households_q(request.user))
    )
    context = {"form": filters.form, "can_record": can_anywhere(request.user, "grid.contact")}
    return render_list(request, "grid/contact_list.html", "grid/_contact_results.html", contacts, context)


def _contact(request: AuthedRequest, pk: int) -> Contact:
    return get_visible_or_404(Contact.objects.select_related("person", "org", "created_by"), request.user, pk=pk)


@require_GET
def contact_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk)
    context = {
        "contact": contact,
        "households": list(contact.households.filter(pk__in=_visible_households_q(request.user).values("pk"))),
        "photos": list(contact.photos.all()),
        "draft_saved": _saved_draft(request),
    }
    return render(request, "grid/contact_detail.html", context)


@require_GET
def contact_photo(request: AuthedRequest, pk: int) -> FileResponse:
    """A contact's photo, for those who may see the contact (media files are never served directly)."""
    photo = ContactPhoto.objects.filter(pk=pk).first()
    if photo is None:
        raise Http404(_("Not found."))
    _contact(request, photo.contact_id)
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


urlpatterns: list[URLPattern] = [
    path("mine/", mine, name="mine"),
    path("contacts/", contact_list, name="contact_list"),
    path("contacts/new/", contact_create, name="contact_create"),
    path("contacts/<int:pk>/", contact_detail, name="contact_detail"),
    path("contacts/photos/<int:pk>/", contact_photo, name="contact_photo"),
]
