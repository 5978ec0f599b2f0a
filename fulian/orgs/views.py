"""Organisation pages: the home page, the tree, search, one organisation, village groups."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fulian.accounts.choices import Role
from fulian.accounts.http import AuthedRequest
from fulian.core.forms import add_service_errors
from fulian.core.permissions import actions
from fulian.core.scoping import can, get_visible_or_404, user_grants
from fulian.core.views import render_list, wants_fragment
from fulian.orgs import picking, services
from fulian.orgs.choices import Level
from fulian.orgs.filters import OrganisationFilter
from fulian.orgs.forms import GroupForm
from fulian.orgs.models import Organisation
from fulian.orgs.selectors import ancestors, labelled_counts, subtree_counts, tree_roots, with_child_counts


def home(request: AuthedRequest) -> HttpResponse:
    """Per role: the grid's coverage and work of the week, then the organisations where the
    user holds roles and what lies below them."""
    grants = sorted(user_grants(request.user), key=lambda g: g.path)
    orgs = Organisation.objects.in_bulk({g.org_id for g in grants})
    cards = [
        {
            "grant": g,
            "role_label": Role(g.role).label,
            "org": orgs[g.org_id],
            "counts": labelled_counts(subtree_counts(orgs[g.org_id])),
        }
        for g in grants
    ]
    # The grid's own sections (coverage, gaps, this week; a 执委's households; a leader's
    # chart) come first: what matters to each role. Imported here: orgs imports no app.
    from fulian.campaigns.selectors import to_score
    from fulian.duties.work_lists import home_card
    from fulian.grid.home import sections
    from fulian.points.passbook_reads import home_card as points_card

    context = {
        "cards": cards,
        "grid_sections": sections(request.user),
        "to_score": to_score(request.user),
        "my_work": home_card(request.user),
        "points_card": points_card(request.user, timezone.localdate()),
    }
    return render(request, "orgs/home.html", context)


def org_list(request: AuthedRequest) -> HttpResponse:
    """The tree from the user's top organisations, or search results when searching."""
    filters = OrganisationFilter.of(request.GET, user=request.user)
    context = {"form": filters.form, "roots": tree_roots(request.user)}
    # An invalid filter is shown with its error beside it, over the tree, not left out of a search.
    filters.is_valid()
    if not any(filters.form.cleaned_data.get(name) for name in filters.filters):
        return render(request, "orgs/_results.html" if wants_fragment(request) else "orgs/org_list.html", context)
    results = filters.qs.select_related("parent")
    return render_list(request, "orgs/org_list.html", "orgs/_results.html", results, context)


@require_GET
def org_pick(request: AuthedRequest) -> HttpResponse:
    """The organisation picker's suggestions (``includes/org_picker.html``): the organisations
    of the user's area for ``action`` that match ``q`` by name, pinyin, initials or code, best
    first, each with its parent, as the options of its list."""
    action = request.GET.get("action") or Organisation.scope_view_action
    if action not in actions():
        return HttpResponseBadRequest(_("Unknown action."))
    rows = Organisation.objects.visible_to(request.user, action)
    found = list(picking.search(rows, request.GET.get("q", "")[:100])[: picking.SUGGESTIONS])
    roots = picking.scope_roots(request.user, action)
    context = {"found": [(org, picking.label(org, roots)) for org in found]}
    return render(request, "orgs/_pick_options.html", context)


def org_children(request: AuthedRequest, pk: int) -> HttpResponse:
    """The children of one organisation, as rows to expand the tree in place (htmx)."""
    org = get_visible_or_404(Organisation.objects, request.user, pk=pk)
    children = with_child_counts(Organisation.objects.visible_to(request.user).filter(parent=org))
    return render(request, "orgs/_children.html", {"children": children})


def _detail_context(request: AuthedRequest, org: Organisation, group_form: GroupForm) -> dict[str, object]:
    return {
        "org": org,
        "ancestors": ancestors(org, request.user),
        "children": with_child_counts(Organisation.objects.visible_to(request.user).filter(parent=org)),
        "counts": labelled_counts(subtree_counts(org)),
        "can_change": can(request.user, "orgs.change", org),
        "group_form": group_form,
    }


def org_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One organisation: its parent chain, counts below it, its children, its groups."""
    org = get_visible_or_404(Organisation.objects, request.user, pk=pk)
    form = GroupForm(initial={"name": org.name}) if org.level == Level.GROUP else GroupForm()
    return render(request, "orgs/org_detail.html", _detail_context(request, org, form))


def _group_name_post(
    request: AuthedRequest, org: Organisation, write: Callable[[str], Organisation], done: str
) -> HttpResponse:
    """The group-name form posted on ``org``'s page: ``write`` the name through a service, then
    back to the page with ``done``, or the page again with the errors beside the field."""
    form = GroupForm(request.POST)
    if form.is_valid():
        try:
            group = write(form.cleaned_data["name"])
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, done % {"name": group.display_name})
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/org_detail.html", _detail_context(request, org, form), status=400)


@require_POST
def group_create(request: AuthedRequest, pk: int) -> HttpResponse:
    village = get_visible_or_404(Organisation.objects, request.user, pk=pk, action="orgs.change")
    return _group_name_post(
        request,
        village,
        lambda name: services.group_create(actor=request.user, village=village, name=name),
        _("Added %(name)s."),
    )


@require_POST
def group_rename(request: AuthedRequest, pk: int) -> HttpResponse:
    """Correct a village group's name (division names come from the official codes)."""
    group = get_visible_or_404(Organisation.objects, request.user, pk=pk, action="orgs.change")
    return _group_name_post(
        request,
        group,
        lambda name: services.group_rename(actor=request.user, group=group, name=name),
        _("Renamed to %(name)s."),
    )
