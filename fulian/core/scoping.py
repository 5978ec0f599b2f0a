"""The one scoping entry point (DESIGN.md §3, STYLE.md "Scope: impossible to forget").

Roles are granted at an organisation and reach its whole subtree. Every read of scoped
rows goes through ``Model.objects.visible_to(user, action)``; every write checks
``require(user, action, org)``. A single object is fetched with ``get_visible_or_404`` so
that an object outside the caller's subtree is indistinguishable from one that does not
exist.

A scoped model says how a grant turns into a filter on its own table with the classmethod
``scope_q(grant)``: the organisation tree and other small tables filter on a materialised
path prefix; the big tables of later areas carry their organisation's ancestry so that the
filter is one indexed equality (see docs/decisions.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from fulian.core.permissions import roles_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser
else:
    AnyUser = Any


@dataclass(frozen=True)
class Grant:
    """One role held at one organisation, reaching that organisation's subtree."""

    role: str
    org_id: int
    path: str
    level: str
    is_root: bool

    def covers(self, path: str) -> bool:
        return path.startswith(self.path)


class HasOrgPath(Protocol):
    path: str


# Grants this process loaded, by account: (the account's identity and grants_version, grants).
# Every change of an account's grants, and every save of an organisation it holds one at,
# raises its grants_version (accounts.models), and the account row is read afresh on every
# request, so an entry is used only while it is current; it saves a query on every page.
_LOADED: dict[Any, tuple[tuple[Any, ...], tuple[Grant, ...]]] = {}
_LOADED_MAX = 10_000


def user_grants(user: AnyUser) -> tuple[Grant, ...]:
    """All of a user's grants, loaded once per user object (so once per request) at most."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return ()
    cached: tuple[Grant, ...] | None = getattr(user, "_fulian_grants", None)
    if cached is None:
        stamp = (getattr(user, "grants_version", None), getattr(user, "date_joined", None))
        loaded = _LOADED.get(user.pk)
        if stamp[0] is not None and loaded is not None and loaded[0] == stamp:
            cached = loaded[1]
        else:
            cached = _load_grants(user)
            if stamp[0] is not None:
                if len(_LOADED) >= _LOADED_MAX:
                    _LOADED.clear()
                _LOADED[user.pk] = (stamp, cached)
        user._fulian_grants = cached  # type: ignore[union-attr]
    return cached


def _load_grants(user: AnyUser) -> tuple[Grant, ...]:
    role_grant = apps.get_model("accounts", "RoleGrant")
    rows = role_grant.objects.filter(user=user).values_list(  # type: ignore[misc]
        "role", "org_id", "org__path", "org__level", "org__parent_id"
    )
    return tuple(
        Grant(role=role, org_id=org_id, path=path, level=level, is_root=parent_id is None)
        for role, org_id, path, level, parent_id in rows
    )


def forget_loaded_grants() -> None:
    """Empty this process's grants (tests whose database is rolled back reuse account ids)."""
    _LOADED.clear()


def forget_grants(user: AnyUser) -> None:
    """Drop the loaded grants after they changed (a grant or revoke in the same request):
    this user object still carries the grants_version it was read with."""
    if hasattr(user, "_fulian_grants"):
        del user._fulian_grants  # type: ignore[union-attr]
    _LOADED.pop(getattr(user, "pk", None), None)


def grants_for(user: AnyUser, action: str) -> list[Grant]:
    """The outermost grants that allow ``action``; a grant inside another adds nothing."""
    allowed = roles_for(action)
    candidates = sorted((g for g in user_grants(user) if g.role in allowed), key=lambda g: len(g.path))
    outermost: list[Grant] = []
    for grant in candidates:
        if not any(grant.path.startswith(o.path) for o in outermost):
            outermost.append(grant)
    return outermost


def can(user: AnyUser, action: str, org: HasOrgPath) -> bool:
    """Whether ``user`` may perform ``action`` at ``org`` (granted there or above)."""
    return any(g.covers(org.path) for g in grants_for(user, action))


def can_anywhere(user: AnyUser, action: str) -> bool:
    """Whether ``user`` may perform ``action`` somewhere (to show or hide a menu entry)."""
    return bool(grants_for(user, action))


def require(user: AnyUser, action: str, org: HasOrgPath) -> None:
    """Raise PermissionDenied unless ``user`` may perform ``action`` at ``org``."""
    if not can(user, action, org):
        raise PermissionDenied(_("You do not have permission to do this here."))


_QS = TypeVar("_QS", bound="ScopedQuerySet[Any]")
_M = TypeVar("_M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[_M]):
    """A queryset whose rows belong to organisations; ``visible_to`` is its only way in."""

    def visible_to(self: _QS, user: AnyUser, action: str | None = None) -> _QS:
        """The rows ``user`` may see (or act on, with ``action``) in their subtrees."""
        action = action or self.model.scope_view_action
        grants = grants_for(user, action)
        if not grants:
            return self.none()
        condition = Q()
        for grant in grants:
            condition |= self.model.scope_q(grant)
        return self.filter(condition)


class PathScopedModel(models.Model):
    """A model scoped by a materialised organisation path (small tables only)."""

    scope_view_action: str = ""
    scope_path_field: str = "org__path"

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, grant: Grant) -> Q:
        return Q(**{f"{cls.scope_path_field}__startswith": grant.path})


def get_visible_or_404(
    queryset: models.Manager[_M] | models.QuerySet[_M], user: AnyUser, *, action: str | None = None, **lookup: Any
) -> _M:
    """One object the user may see, else 404; 403 only if visible but ``action`` is not allowed.

    ``action`` names what the caller is about to do; the object must be visible first, so an
    out-of-scope object is always a 404, never a 403 that confirms it exists.
    """
    try:
        obj = queryset.visible_to(user).get(**lookup)  # type: ignore[union-attr]
    except (queryset.model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404(_("Not found.")) from None
    # The action is checked on the same queryset, so that rows it asked for beyond the default
    # (an archived record's own page) are checked as they were found.
    if action is not None and not queryset.filter(pk=obj.pk).visible_to(user, action).exists():  # type: ignore[attr-defined]
        raise PermissionDenied(_("You do not have permission to do this here."))
    return obj
