"""Writing audit events: the request context, and ``record`` used by services and signals."""

from __future__ import annotations

import contextlib
import datetime
import decimal
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from fulian.audit.choices import Action
from fulian.audit.models import AuditEvent
from fulian.core.http import client_ip

if TYPE_CHECKING:
    from fulian.orgs.models import Organisation


@dataclass
class AuditContext:
    """Who is acting: a web/API request, or a named command run by IT staff."""

    request: HttpRequest | None = None
    actor_name: str = ""
    actor: Any = None
    ip: str | None = None  # background work: the address of the request that asked for it


_context: ContextVar[AuditContext | None] = ContextVar("fulian_audit_context", default=None)


@contextlib.contextmanager
def audit_context(
    *, request: HttpRequest | None = None, actor_name: str = "", actor: Any = None, ip: str | None = None
) -> Iterator[None]:
    """Who is acting for the events recorded inside: a request, or (in a task or command) a
    named account or process, and the address it asked from (``ip``: kept with a background
    job when it was requested)."""
    token = _context.set(AuditContext(request=request, actor_name=actor_name, actor=actor, ip=ip or None))
    try:
        yield
    finally:
        _context.reset(token)


def current_ip() -> str | None:
    """The address of the request being served (or of the one a background job was asked by):
    what a job keeps, so that its events name the requester's address."""
    context = _context.get()
    if context is None:
        return None
    return client_ip(context.request) if context.request is not None else context.ip


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        # In the deployment's time zone, with its offset: what the auditor reads beside the
        # event's own time, and still unambiguous.
        return timezone.localtime(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.datetime | datetime.date | datetime.time | decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    org: Organisation | None = None,
    changes: dict[str, Any] | None = None,
    actor: Any = None,
    actor_name: str = "",
    object_repr: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event. The actor and address come from the current request unless given."""
    context = _context.get() or AuditContext()
    request = request or context.request
    if actor is None:
        actor = context.actor
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if getattr(user, "is_authenticated", False) else None
    if org is None and obj is not None:
        org = getattr(obj, "audit_org", None)
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=actor_name or (actor.get_username() if actor else context.actor_name),
        ip=client_ip(request) if request is not None else context.ip,
        action=Action(action),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        org=org,
        org_path=org.path if org is not None else "",
        changes=jsonable(changes or {}),
    )
