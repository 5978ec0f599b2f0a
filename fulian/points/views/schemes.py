"""Points pages: the schemes (积分制) a county or the city federation keeps. Everyone in points
reads the schemes that apply to her and those below her; administrators of the scheme's
federation (``points.configure``) create it, edit a draft version (its settings, categories,
rules, levels and 礼遇褒奖), adopt it with the decision it came from, and start the next version.

Reads go through ``Scheme.objects.visible_to``: a version, category, rule, level or honour is
found only within a visible scheme (out of scope: 404); a visible one that the user may not
configure is a 403. Writes go through ``fulian.points.services.schemes``, which refuses any change
to an adopted version, a crafted POST included."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fulian.accounts.http import AuthedRequest
from fulian.core.forms import add_service_errors
from fulian.core.paging import page_of
from fulian.core.scoping import can, can_anywhere, grants_for
from fulian.core.views import requires_somewhere
from fulian.orgs.models import Organisation
from fulian.points import scheme_forms as f
from fulian.points.choices import VersionStatus
from fulian.points.models import Category, HonourRule, PointsLevel, Rule, Scheme, SchemeVersion, ancestor_paths
from fulian.points.services import schemes as service

VIEW = "points.view"
CONFIGURE = "points.configure"

_M = TypeVar("_M", bound=Model)


# --- finding things within the user's scope ---------------------------------------------------


def _visible_schemes(request: AuthedRequest) -> QuerySet[Scheme]:
    return Scheme.objects.visible_to(request.user)


def _scheme(request: AuthedRequest, pk: int) -> Scheme:
    found = _visible_schemes(request).select_related("org").filter(pk=pk).first()
    if found is None:
        raise Http404(_("Not found."))
    return found


def _version(request: AuthedRequest, pk: int) -> SchemeVersion:
    found = (
        SchemeVersion.objects.filter(scheme__in=_visible_schemes(request), pk=pk).select_related("scheme__org").first()
    )
    if found is None:
        raise Http404(_("Not found."))
    return found


def _part(request: AuthedRequest, model: type[_M], pk: int) -> _M:
    """A category, rule, level or honour rule of a visible scheme's version."""
    found = (
        model._default_manager.filter(version__scheme__in=_visible_schemes(request), pk=pk)
        .select_related("version__scheme__org")
        .first()
    )
    if found is None:
        raise Http404(_("Not found."))
    return found


def _configurer(request: AuthedRequest, scheme: Scheme) -> None:
    """403 for one who sees the scheme but may not change it (a 执委, a county below the city)."""
    if not can(request.user, CONFIGURE, scheme.org):
        raise PermissionDenied(_("Only the administrators of %(org)s change its points scheme.") % {"org": scheme.org})


def _home_path(request: AuthedRequest) -> str | None:
    """Where the user stands in points: her outermost organisation with a points role."""
    grants = grants_for(request.user, VIEW)
    return grants[0].path if grants else None


def _applying(schemes: list[Scheme], path: str | None) -> Scheme | None:
    """The scheme of the nearest federation at or above ``path``: the one whose rules apply."""
    if path is None:
        return None
    above = [s for s in schemes if path.startswith(s.org.path)]
    return max(above, key=lambda s: len(s.org.path), default=None)


def _in_force(versions: list[SchemeVersion], on: datetime.date) -> SchemeVersion | None:
    """The adopted version of one scheme in force on ``on``."""
    adopted = [v for v in versions if v.status == VersionStatus.ADOPTED and v.valid_from <= on]
    return max(adopted, key=lambda v: (v.valid_from, v.number), default=None)


def _today() -> datetime.date:
    return timezone.localdate()


# --- schemes ---------------------------------------------------------------------------------


def _creatable(request: AuthedRequest) -> QuerySet[Organisation]:
    """The city or counties where the user configures points and no scheme is kept yet."""
    return (
        Organisation.objects.visible_to(request.user, CONFIGURE)
        .filter(level__in=service.SCHEME_LEVELS)
        .exclude(pk__in=_visible_schemes(request).values("org"))
        .order_by("path")
    )


@require_GET
@requires_somewhere(VIEW)
def scheme_list(request: AuthedRequest) -> HttpResponse:
    """The schemes the user sees: her own federation's, those above that apply to her, and those
    of the counties below; which one applies to her, and the version in force today."""
    versions = Prefetch("versions", queryset=SchemeVersion.objects.order_by("-number"))
    schemes = _visible_schemes(request).select_related("org").prefetch_related(versions).order_by("org__path", "id")
    page = page_of(schemes, request.GET)
    home = _home_path(request)
    # The scheme that applies is the nearest at or above her, wherever it falls in the pages.
    above = _visible_schemes(request).filter(org__path__in=ancestor_paths(home)) if home else Scheme.objects.none()
    applies = _applying(list(above.select_related("org")), home)
    today = _today()
    rows = []
    for scheme in page.items:
        scheme_versions = list(scheme.versions.all())
        rows.append(
            {
                "scheme": scheme,
                "in_force": _in_force(scheme_versions, today),
                "draft": next((v for v in scheme_versions if v.status == VersionStatus.DRAFT), None),
                "applies": applies is not None and scheme.pk == applies.pk,
            }
        )
    context = {
        "page": page,
        "rows": rows,
        "applies": applies,
        "may_create": can_anywhere(request.user, CONFIGURE) and _creatable(request).exists(),
    }
    return render(request, "points/scheme_list.html", context)


@require_http_methods(["GET", "POST"])
@requires_somewhere(CONFIGURE)
def scheme_create(request: AuthedRequest) -> HttpResponse:
    """A new scheme for the city or a county, with its first version as a draft."""
    orgs = _creatable(request)
    form = f.SchemeForm(request.POST if request.method == "POST" else None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scheme = service.scheme_create(
                actor=request.user, org=data["org"], name=data["name"], valid_from=data["valid_from"]
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The scheme is made. Add its categories and rules, then adopt it."))
            return redirect("points:version_detail", scheme.versions.get().pk)
    context = {
        "form": form,
        "title": _("New points scheme"),
        "intro": _(
            "A points scheme is kept by the city or a county federation; it applies to every organisation below it."
        ),
        "back": reverse("points:scheme_list"),
        "button": _("Create the scheme"),
        "nothing_left": not orgs.exists(),
    }
    return render(request, "points/scheme_form.html", context, status=400 if form.errors else 200)


@require_GET
def scheme_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A scheme's versions: draft or adopted, in force from, adopted on, the decision; the one in
    force today marked."""
    scheme = _scheme(request, pk)
    versions = list(scheme.versions.order_by("-number"))
    in_force = _in_force(versions, _today())
    context = {
        "scheme": scheme,
        "versions": versions,
        "in_force": in_force,
        "draft": next((v for v in versions if v.status == VersionStatus.DRAFT), None),
        "applies": _applies_to_user(request, scheme),
        "may_configure": can(request.user, CONFIGURE, scheme.org),
        "today": _today(),
    }
    return render(request, "points/scheme_detail.html", context)


def _applies_to_user(request: AuthedRequest, scheme: Scheme) -> bool:
    """Whether this is the scheme of the nearest federation at or above the user."""
    home = _home_path(request)
    if home is None or not home.startswith(scheme.org.path):
        return False
    # A scheme nearer to her is at or above her: visible to her like this one.
    nearer = _visible_schemes(request).filter(org__path__startswith=scheme.org.path).exclude(pk=scheme.pk)
    return not any(home.startswith(p) for p in nearer.values_list("org__path", flat=True))


@require_http_methods(["GET", "POST"])
def version_new(request: AuthedRequest, pk: int) -> HttpResponse:
    """The next version of a scheme: a draft copied from the latest, in force from a later day."""
    scheme = _scheme(request, pk)
    _configurer(request, scheme)
    form = f.VersionNewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            version = service.version_new(actor=request.user, scheme=scheme, valid_from=form.cleaned_data["valid_from"])
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(
                request,
                _("Version %(number)d is a draft copied from the one before: change it, then adopt it.")
                % {"number": version.number},
            )
            return redirect("points:version_detail", version.pk)
    context = {
        "form": form,
        "scheme": scheme,
        "title": _("New version"),
        "intro": _(
            "An adopted version is never changed: a change is a new version, copied from the latest, "
            "adopted by the same procedure and in force from a later day."
        ),
        "back": reverse("points:scheme_detail", args=[scheme.pk]),
        "button": _("Start the new version"),
    }
    return render(request, "points/scheme_form.html", context, status=400 if form.errors else 200)


# --- a version -------------------------------------------------------------------------------


def _version_page(
    request: AuthedRequest, version: SchemeVersion, *, problem: str = "", status: int = 200
) -> HttpResponse:
    """A version: its categories with their rules, its levels and its honours."""
    rules = list(version.rules.select_related("work_mode").order_by("category__position", "position", "id"))
    categories = list(version.categories.order_by("position", "id"))
    sections = [{"category": c, "rules": [r for r in rules if r.category_id == c.pk]} for c in categories]
    versions = list(version.scheme.versions.order_by("-number"))
    in_force = _in_force(versions, _today())
    later = [v for v in versions if v.status == VersionStatus.ADOPTED and v.valid_from > version.valid_from]
    context = {
        "version": version,
        "scheme": version.scheme,
        "sections": sections,
        "levels": list(version.levels.order_by("threshold")),
        "honours": list(version.honour_rules.order_by("id")),
        "in_force": in_force is not None and in_force.pk == version.pk,
        "replaced_by": min(later, key=lambda v: v.valid_from) if later else None,
        "editable": version.status == VersionStatus.DRAFT and can(request.user, CONFIGURE, version.scheme.org),
        "may_configure": can(request.user, CONFIGURE, version.scheme.org),
        "has_draft": any(v.status == VersionStatus.DRAFT for v in versions),
        "problem": problem,
        "today": _today(),
    }
    return render(request, "points/scheme_version.html", context, status=status)


@require_GET
def version_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _version_page(request, _version(request, pk))


def _form_page(
    request: AuthedRequest,
    *,
    version: SchemeVersion,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    title: str,
    done: str,
    template: str = "points/scheme_form.html",
    anchor: str = "",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """An edit form of a draft: on a valid POST the service saves (and refuses what does not
    hold, beside the field); an adopted version's form says it is read-only, and its POST is
    refused by the service with the reason."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, done)
            return redirect(reverse("points:version_detail", args=[version.pk]) + anchor)
    back = reverse("points:version_detail", args=[version.pk]) + anchor
    context = {
        "form": form,
        "version": version,
        "scheme": version.scheme,
        "frozen": version.status != VersionStatus.DRAFT,
        "title": title,
        "back": back,
        "button": _("Save"),
        **(extra or {}),
    }
    return render(request, template, context, status=400 if form.errors else 200)


def _posted(request: AuthedRequest) -> Any:
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
def version_settings(request: AuthedRequest, pk: int) -> HttpResponse:
    """A draft's settings: in force from, caps required, the second-review threshold."""
    version = _version(request, pk)
    _configurer(request, version.scheme)
    initial = {
        "valid_from": version.valid_from,
        "caps_required": version.caps_required,
        "second_review_above": version.second_review_above,
    }
    form = f.VersionSettingsForm(_posted(request), initial=initial)
    return _form_page(
        request,
        version=version,
        form=form,
        save=lambda data: service.version_update(actor=request.user, version=version, **data),
        title=_("Version settings"),
        done=_("The settings are saved."),
    )


@require_http_methods(["GET", "POST"])
def version_adopt(request: AuthedRequest, pk: int) -> HttpResponse:
    """Adopt a draft: the day it was adopted and the decision; from then on it is frozen."""
    version = _version(request, pk)
    _configurer(request, version.scheme)
    form = f.AdoptForm(_posted(request), initial={"adopted_on": min(_today(), version.valid_from)})
    return _form_page(
        request,
        version=version,
        form=form,
        save=lambda data: service.version_adopt(actor=request.user, version=version, **data),
        title=_("Adopt version %(number)d") % {"number": version.number},
        done=_("Version %(number)d is adopted: it applies from %(day)s and can no longer change.")
        % {"number": version.number, "day": version.valid_from.isoformat()},
        extra={
            "button": _("Adopt"),
            "intro": _(
                "积分制 rules are adopted by a democratic procedure (for example a vote of the village "
                "representatives' assembly, 村民代表大会表决). Once adopted, the version cannot change."
            ),
            "confirm": _("Adopt this version? It can no longer change afterwards."),
        },
    )


# --- categories ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def category_create(request: AuthedRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    _configurer(request, version.scheme)
    form = f.CategoryForm(_posted(request), initial={"position": version.categories.count() + 1})
    return _form_page(
        request,
        version=version,
        form=form,
        save=lambda data: service.category_save(actor=request.user, version=version, **data),
        title=_("New category"),
        done=_("The category is added."),
    )


@require_http_methods(["GET", "POST"])
def category_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    category = _part(request, Category, pk)
    version = category.version
    _configurer(request, version.scheme)
    form = f.CategoryForm(_posted(request), initial={"name": category.name, "position": category.position})
    return _form_page(
        request,
        version=version,
        form=form,
        save=lambda data: service.category_save(actor=request.user, version=version, category=category, **data),
        title=_("Change category “%(name)s”") % {"name": category.name},
        done=_("The category is saved."),
        anchor=f"#category-{category.pk}",
    )


def _delete(request: AuthedRequest, version: SchemeVersion, act: Callable[[], None], done: str) -> HttpResponse:
    """Take something out of a draft; a refusal (an adopted version) is said on its page."""
    try:
        act()
    except ValidationError as e:
        return _version_page(request, version, problem=" ".join(e.messages), status=400)
    messages.success(request, done)
    return redirect("points:version_detail", version.pk)


@require_POST
def category_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    category = _part(request, Category, pk)
    _configurer(request, category.version.scheme)
    return _delete(
        request,
        category.version,
        lambda: service.category_delete(actor=request.user, category=category),
        _("Category “%(name)s” is deleted.") % {"name": category.name},
    )


# --- rules -----------------------------------------------------------------------------------


def _rule_page(request: AuthedRequest, version: SchemeVersion, rule: Rule | None) -> HttpResponse:
    if rule is None:
        initial: dict[str, Any] = {"position": version.rules.count() + 1, "category": version.categories.first()}
    else:
        initial = {field: getattr(rule, field) for field in RULE_FIELDS}
        initial["category"] = rule.category_id
        initial["work_mode"] = rule.work_mode_id
    form = f.RuleForm(
        _posted(request), initial=initial, version=version, current_mode=rule.work_mode if rule is not None else None
    )

    def save(data: dict[str, Any]) -> Rule:
        return service.rule_save(actor=request.user, version=version, rule=rule, **data)

    title = _("New rule") if rule is None else _("Change rule “%(name)s”") % {"name": rule.name}
    done = _("The rule is saved.")
    return _form_page(
        request,
        version=version,
        form=form,
        save=save,
        title=title,
        done=done,
        template="points/scheme_rule_form.html",
        anchor=f"#rule-{rule.pk}" if rule is not None else "",
        extra={"no_category": not version.categories.exists(), "caps_required": version.caps_required},
    )


RULE_FIELDS = (
    "name",
    "source",
    "award_level",
    "points",
    "per_hour",
    "daily_cap",
    "yearly_cap",
    "photo_required",
    "reviews_required",
    "two_reviews_above",
    "earner",
    "position",
)


@require_http_methods(["GET", "POST"])
def rule_create(request: AuthedRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    _configurer(request, version.scheme)
    return _rule_page(request, version, None)


@require_http_methods(["GET", "POST"])
def rule_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    rule = _part(request, Rule, pk)
    _configurer(request, rule.version.scheme)
    return _rule_page(request, rule.version, rule)


@require_POST
def rule_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    rule = _part(request, Rule, pk)
    _configurer(request, rule.version.scheme)
    return _delete(
        request,
        rule.version,
        lambda: service.rule_delete(actor=request.user, rule=rule),
        _("Rule “%(name)s” is deleted.") % {"name": rule.name},
    )


# --- levels ----------------------------------------------------------------------------------


def _level_page(request: AuthedRequest, version: SchemeVersion, level: PointsLevel | None) -> HttpResponse:
    initial = {"name": level.name, "threshold": level.threshold} if level is not None else {}
    form = f.LevelForm(_posted(request), initial=initial)
    return _form_page(
        request,
        version=version,
        form=form,
        save=lambda data: service.level_save(actor=request.user, version=version, level=level, **data),
        title=_("New level") if level is None else _("Change level “%(name)s”") % {"name": level.name},
        done=_("The level is saved."),
        anchor="#levels",
        extra={"intro": _("A level is reached with the points earned in all (deductions count, redemptions do not).")},
    )


@require_http_methods(["GET", "POST"])
def level_create(request: AuthedRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    _configurer(request, version.scheme)
    return _level_page(request, version, None)


@require_http_methods(["GET", "POST"])
def level_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    level = _part(request, PointsLevel, pk)
    _configurer(request, level.version.scheme)
    return _level_page(request, level.version, level)


@require_POST
def level_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    level = _part(request, PointsLevel, pk)
    _configurer(request, level.version.scheme)
    return _delete(
        request,
        level.version,
        lambda: service.level_delete(actor=request.user, level=level),
        _("Level “%(name)s” is deleted.") % {"name": level.name},
    )


# --- honours (礼遇褒奖) -------------------------------------------------------------------------


def _honour_page(request: AuthedRequest, version: SchemeVersion, honour: HonourRule | None) -> HttpResponse:
    initial = {name: getattr(honour, name) for name in service.HONOUR_FIELDS} if honour is not None else {}
    form = f.HonourRuleForm(_posted(request), initial=initial)
    return _form_page(
        request,
        version=version,
        form=form,
        save=lambda data: service.honour_rule_save(actor=request.user, version=version, honour=honour, **data),
        title=_("New honour") if honour is None else _("Change honour “%(name)s”") % {"name": honour.title},
        done=_("The honour is saved."),
        anchor="#honours",
        extra={
            "intro": _(
                "礼遇褒奖 are given each year, to the holders at the top of each organisation of a level "
                "or to everyone who earned a number of points in the year."
            )
        },
    )


@require_http_methods(["GET", "POST"])
def honour_create(request: AuthedRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    _configurer(request, version.scheme)
    return _honour_page(request, version, None)


@require_http_methods(["GET", "POST"])
def honour_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    honour = _part(request, HonourRule, pk)
    _configurer(request, honour.version.scheme)
    return _honour_page(request, honour.version, honour)


@require_POST
def honour_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    honour = _part(request, HonourRule, pk)
    _configurer(request, honour.version.scheme)
    return _delete(
        request,
        honour.version,
        lambda: service.honour_rule_delete(actor=request.user, honour=honour),
        _("Honour “%(name)s” is deleted.") % {"name": honour.title},
    )


urlpatterns: list[URLPattern] = [
    path("schemes/", scheme_list, name="scheme_list"),
    path("schemes/new/", scheme_create, name="scheme_create"),
    path("schemes/<int:pk>/", scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/versions/new/", version_new, name="version_new"),
    path("versions/<int:pk>/", version_detail, name="version_detail"),
    path("versions/<int:pk>/settings/", version_settings, name="version_settings"),
    path("versions/<int:pk>/adopt/", version_adopt, name="version_adopt"),
    path("versions/<int:pk>/categories/new/", category_create, name="category_create"),
    path("categories/<int:pk>/", category_edit, name="category_edit"),
    path("categories/<int:pk>/delete/", category_delete, name="category_delete"),
    path("versions/<int:pk>/rules/new/", rule_create, name="rule_create"),
    path("rules/<int:pk>/", rule_edit, name="rule_edit"),
    path("rules/<int:pk>/delete/", rule_delete, name="rule_delete"),
    path("versions/<int:pk>/levels/new/", level_create, name="level_create"),
    path("levels/<int:pk>/", level_edit, name="level_edit"),
    path("levels/<int:pk>/delete/", level_delete, name="level_delete"),
    path("versions/<int:pk>/honours/new/", honour_create, name="honour_create"),
    path("honours/<int:pk>/", honour_edit, name="honour_edit"),
    path("honours/<int:pk>/delete/", honour_delete, name="honour_delete"),
]
