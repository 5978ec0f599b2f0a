"""Roster pages: people, their posts, the terms of a federation, exports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fulian.accounts.http import AuthedRequest
from fulian.core.exports import may_export_full
from fulian.core.forms import add_service_errors, record_values
from fulian.core.scoping import can, can_anywhere, get_visible_or_404
from fulian.core.views import reason_page, render_list, requires_somewhere, wants_fragment
from fulian.exports import views as exports_views
from fulian.orgs import counts
from fulian.orgs.models import Organisation
from fulian.people import selectors, services
from fulian.people.exports import PEOPLE
from fulian.people.filters import PersonFilter
from fulian.people.forms import ChangeoverForm, EndPostForm, PersonForm, PostForm, PromoteForm, TermForm
from fulian.people.models import Person, Post, Term
from fulian.people.services import PERSON_FIELDS


@requires_somewhere("people.view")
def person_list(request: AuthedRequest) -> HttpResponse:
    """People in the user's subtree: search by name, pinyin, phone or ID; filter; export."""
    filters = PersonFilter.of(request.GET, user=request.user)
    people = filters.qs
    context = {
        "form": filters.form,
        "can_change": can_anywhere(request.user, "people.change"),
        "can_export_full": may_export_full(request.user, view="people.view", reveal="people.reveal"),
        "detail_base": reverse("people:list"),
        "total": counts.filtered_total(filters, kind="people"),
        "breakdown": [] if wants_fragment(request) else counts.breakdown("people", request.user, "people.view"),
    }
    return render_list(request, "people/person_list.html", "people/_person_results.html", people, context)


@requires_somewhere("people.view")
def person_export(request: AuthedRequest) -> HttpResponse:
    """The list as filtered, as .xlsx or .csv; ``full=1`` for full personal data (audited)."""
    return exports_views.export(request, PEOPLE)


@requires_somewhere("people.change")
def person_create(request: AuthedRequest) -> HttpResponse:
    form = PersonForm(
        request.POST or None, request.FILES or None, user=request.user, initial={"org": request.GET.get("org", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                person = services.person_create(
                    actor=request.user,
                    org=form.cleaned_data["org"],
                    values=record_values(form, PERSON_FIELDS, editing=form.editing),
                )
                if form.cleaned_data.get("photo"):
                    services.person_set_photo(actor=request.user, person=person, upload=form.cleaned_data["photo"])
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": person.name})
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form}, status=400 if form.errors else 200)


def _person(request: AuthedRequest, pk: int, action: str | None = None) -> Person:
    """One person in the user's subtree, current or archived (her own page shows her history)."""
    return get_visible_or_404(
        Person.objects.with_archived().select_related("org", "archived_by"), request.user, pk=pk, action=action
    )


def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    may_change = can(request.user, "people.change", person.org)
    current = person.archived_at is None
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            # Only the posts the user may see (a village 执委 does not see her chair's township
            # post), each with whether the user may end it.
            "posts": selectors.posts_of(request.user, person),
            "can_change": may_change and current,
            "can_promote": may_change and current and services.may_promote(person),
            "can_reveal": can(request.user, "people.reveal", person.org) and person.erased_at is None,
            "can_erase": can(request.user, "people.erase", person.org) and person.erased_at is None,
            "restore_url": reverse("people:restore", args=[person.pk])
            if may_change and not current and person.erased_at is None
            else "",
            "post_form": PostForm(user=request.user, initial={"org": person.org.code}),
        },
    )


def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, action="people.change")
    if person.archived_at is not None:
        messages.error(request, _("%(name)s is archived: restore the record before changing it.") % {"name": person})
        return redirect("people:detail", pk=person.pk)
    initial = {k: getattr(person, k) for k in PERSON_FIELDS if k not in ("id_number", "mobile")}
    initial |= {"org": person.org.code}
    form = PersonForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        editing=True,
        initial=initial,
        stored={"id_number": person.id_number_masked, "mobile": person.mobile_masked},
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.person_update(
                    actor=request.user,
                    person=person,
                    org=form.cleaned_data["org"],
                    values=record_values(form, PERSON_FIELDS, editing=form.editing),
                )
                photo = form.cleaned_data.get("photo")
                if photo or photo is False:  # False: "clear" ticked
                    services.person_set_photo(actor=request.user, person=person, upload=photo or None)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("people:detail", pk=person.pk)
    context = {"form": form, "person": person, "can_reveal": can(request.user, "people.reveal", person.org)}
    return render(request, "people/person_form.html", context, status=400 if form.errors else 200)


def person_photo(request: AuthedRequest, pk: int) -> FileResponse:
    """The photo, for those who may see the person (media files are never served directly)."""
    person = _person(request, pk)
    if not person.photo:
        raise Http404
    response = FileResponse(person.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
def person_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    """The full ID or phone number (``field`` posted), in place of the masked one; audited."""
    person = _person(request, pk, action="people.reveal")
    field = request.POST.get("field", "")
    if field not in ("id_number", "mobile"):
        return HttpResponse(status=400)
    value = services.person_reveal(actor=request.user, person=person, field=field)
    return render(request, "includes/revealed.html", {"value": value})


def person_archive(request: AuthedRequest, pk: int) -> HttpResponse:
    """Archive a person, with a reason; the page first says what happens to her posts."""
    person = _person(request, pk, action="people.change")
    ending = [p for p in selectors.posts_of(request.user, person) if p.end_date is None]
    consequences = [
        _("%(name)s leaves every list, search and export; her page stays, marked archived.") % {"name": person},
        *[
            _("Her post %(post)s at %(org)s ends today; it stays in the term's history.")
            % {"post": p.get_kind_display(), "org": p.org.federation_name}
            for p in ending
        ],
        _("The record can be restored, with a reason; ended posts stay ended."),
    ]
    return reason_page(
        request,
        act=lambda reason: services.person_archive(actor=request.user, person=person, reason=reason),
        title=_("Archive %(name)s") % {"name": person},
        subject=str(person),
        back_url=reverse("people:detail", args=[person.pk]),
        consequences=consequences,
        button=_("Archive"),
        done=_("%(name)s is archived.") % {"name": person},
        help_text=_("Such as: moved to Changsha in March 2025."),
    )


def person_restore(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, action="people.change")
    return reason_page(
        request,
        act=lambda reason: services.person_restore(actor=request.user, person=person, reason=reason),
        title=_("Restore %(name)s") % {"name": person},
        subject=str(person),
        back_url=reverse("people:detail", args=[person.pk]),
        consequences=[
            _("%(name)s is back on the lists. Posts ended when she was archived stay ended.") % {"name": person}
        ],
        button=_("Restore"),
        done=_("%(name)s is restored.") % {"name": person},
    )


def person_erase(request: AuthedRequest, pk: int) -> HttpResponse:
    """Erase a person for good (a personal-information deletion request): administrators only,
    confirmed by typing the reason."""
    person = _person(request, pk, action="people.erase")
    return reason_page(
        request,
        act=lambda reason: services.person_erase(actor=request.user, person=person, reason=reason),
        title=_("Erase %(name)s for good") % {"name": person},
        subject=str(person),
        back_url=reverse("people:detail", args=[person.pk]),
        consequences=[
            _("Her name, ID number, phone, address, photo and every other personal detail are destroyed."),
            _("Her current posts end today; her posts stay in the terms' history without her name."),
            _("The audit log records the erasure with her masked name and your reason."),
            _("This cannot be undone."),
        ],
        button=_("Erase for good"),
        done=_("The record is erased."),
        help_text=_("Type the reason, such as the date and reference of the deletion request. Do not write her name."),
        danger=True,
    )


def person_promote(request: AuthedRequest, pk: int) -> HttpResponse:
    """Promote a backbone activist (骨干) to executive member (执委): the page says what will
    happen and asks for the federation, the post and its first day; the form asks once more
    before it is sent. Promoting someone already promoted (by another person a moment ago) is
    refused with a message on the page."""
    person = _person(request, pk, action="people.change")
    back = reverse("people:detail", args=[person.pk])
    if request.method != "POST" and not services.may_promote(person):
        messages.error(request, _("%(name)s is not a backbone activist waiting to be promoted.") % {"name": person})
        return redirect(back)
    initial = {"org": services.promotion_federation(person).code}
    form = PromoteForm(request.POST if request.method == "POST" else None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            post = services.backbone_promote(
                actor=request.user,
                person=person,
                org=form.cleaned_data["org"],
                on=form.cleaned_data["start_date"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(
                request,
                _("%(name)s is now %(post)s of %(org)s.")
                % {"name": person, "post": post.get_kind_display(), "org": post.org.federation_name},
            )
            return redirect(back)
    context = {"person": person, "form": form, "back_url": back}
    return render(request, "people/person_promote.html", context, status=400 if form.errors else 200)


@require_POST
def post_create(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, action="people.change")
    form = PostForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.post_assign(
                actor=request.user,
                person=person,
                org=form.cleaned_data["org"],
                kind=form.cleaned_data["kind"],
                start_date=form.cleaned_data["start_date"],
                is_representative=form.cleaned_data["is_representative"],
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Post added."))
            return redirect("people:detail", pk=person.pk)
    for error in [
        *form.non_field_errors(),
        *[
            _("%(field)s: %(error)s") % {"field": form.fields[f].label, "error": m}
            for f, ms in form.errors.items()
            if f != "__all__"
            for m in ms
        ],
    ]:
        messages.error(request, error)
    return redirect("people:detail", pk=person.pk)


@require_POST
def post_end(request: AuthedRequest, pk: int) -> HttpResponse:
    post = get_visible_or_404(Post.objects.select_related("org", "person"), request.user, pk=pk, action="people.change")
    form = EndPostForm(request.POST)
    if form.is_valid():
        try:
            services.post_end(actor=request.user, post=post, on=form.cleaned_data["end_date"])
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("The post has ended; it stays in the history."))
    else:
        messages.error(request, _("Enter the end date."))
    return redirect("people:detail", pk=post.person_id)


def org_roster(request: AuthedRequest, pk: int) -> HttpResponse:
    """The executive committee of one federation: its open term, posts, change-over."""
    org = get_visible_or_404(Organisation.objects, request.user, pk=pk)
    terms = list(Term.objects.visible_to(request.user).filter(org=org).order_by("-number"))
    current = next((t for t in terms if t.is_open), None)
    posts = (
        selectors.roster(
            Post.objects.visible_to(request.user).filter(term=current).current().select_related("person", "org")
        )
        if current
        else []
    )
    can_change = can(request.user, "people.change", org)
    # A member kept on the books above or beside the user's subtree (a county cadre on a
    # village committee) is named, not linked: her page would be a 404.
    linked = set(
        Person.objects.with_archived()
        .visible_to(request.user)
        .filter(pk__in=[p.person_id for p in posts])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "people/org_roster.html",
        {
            "org": org,
            "terms": terms,
            "current": current,
            "posts": posts,
            "linked": linked,
            "can_change": can_change,
            "changeover_form": ChangeoverForm(posts=posts, initial={"carry_over": [str(p.pk) for p in posts]}),
            "term_form": TermForm(),
        },
    )


@require_POST
def term_create(request: AuthedRequest, pk: int) -> HttpResponse:
    org = get_visible_or_404(Organisation.objects, request.user, pk=pk, action="people.change")
    form = TermForm(request.POST)
    if form.is_valid():
        try:
            services.term_open(actor=request.user, org=org, **form.cleaned_data)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("The term has been opened."))
    else:
        messages.error(request, _("Enter the start date."))
    return redirect("people:roster", pk=org.pk)


@require_POST
def term_changeover(request: AuthedRequest, pk: int) -> HttpResponse:
    org = get_visible_or_404(Organisation.objects, request.user, pk=pk, action="people.change")
    posts = list(
        Post.objects.visible_to(request.user)
        .filter(org=org, term__ended_on__isnull=True)
        .current()
        .select_related("person")
    )
    form = ChangeoverForm(request.POST, posts=posts)
    if form.is_valid():
        chosen = set(form.cleaned_data["carry_over"])
        try:
            term = services.term_changeover(
                actor=request.user,
                org=org,
                on=form.cleaned_data["on"],
                end_date=form.cleaned_data["end_date"],
                carry_over=[p for p in posts if str(p.pk) in chosen],
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Term %(n)s has begun.") % {"n": term.number})
    else:
        messages.error(request, _("Enter the date the new term starts."))
    return redirect("people:roster", pk=org.pk)
