"""Model changes of every AuditedModel subclass go to the audit log, field by field."""

from typing import Any

from django.db.models.signals import post_delete, post_save

from fulian.audit.choices import Action
from fulian.audit.models import AuditedModel, is_internal
from fulian.audit.recorder import record


def _values(instance: AuditedModel) -> dict[str, Any]:
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if not is_internal(type(instance), f, f.attname)
    }


def _shown(instance: AuditedModel, field: str, value: Any) -> Any:
    mask = instance.audit_masked.get(field)
    return mask(value) if mask and value else value


def _saved_attnames(instance: AuditedModel, update_fields: frozenset[str] | None) -> set[str]:
    """The columns a save wrote: all of them, or only those named in ``update_fields``."""
    fields = instance._meta.concrete_fields
    if update_fields is None:
        return {f.attname for f in fields}
    return {f.attname for f in fields if f.name in update_fields or f.attname in update_fields}


def _on_save(
    sender: type,
    instance: AuditedModel,
    created: bool,
    raw: bool,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    if raw:  # fixtures
        return
    saved = _saved_attnames(instance, update_fields)
    now = {k: v for k, v in _values(instance).items() if k in saved}
    if created:
        changes = {k: [None, _shown(instance, k, v)] for k, v in now.items() if v not in (None, "")}
        record(Action.CREATE, instance, changes=changes)
    else:
        before = getattr(instance, "_audit_loaded", {})
        changes = {
            k: [_shown(instance, k, before.get(k)), _shown(instance, k, v)]
            for k, v in now.items()
            if k in before and before[k] != v
        }
        # Details a service adds to the change it saves (a new password, never its hash).
        changes.update(instance.__dict__.pop("_audit_details", None) or {})
        if changes:
            record(Action.UPDATE, instance, changes=changes)
    # Only what reached the database becomes the new "before": a field changed in memory but
    # left out of ``update_fields`` is still recorded when a later save writes it.
    loaded = getattr(instance, "_audit_loaded", {})
    loaded.update({attname: getattr(instance, attname) for attname in saved})
    instance._audit_loaded = loaded  # type: ignore[attr-defined]


def _on_delete(sender: type, instance: AuditedModel, **kwargs: Any) -> None:
    changes = {k: [_shown(instance, k, v), None] for k, v in _values(instance).items() if v not in (None, "")}
    record(Action.DELETE, instance, changes=changes)


def _is_audited(sender: type) -> bool:
    return isinstance(sender, type) and issubclass(sender, AuditedModel)


def _dispatch_save(sender: type, **kwargs: Any) -> None:
    if _is_audited(sender):
        _on_save(sender, **kwargs)


def _dispatch_delete(sender: type, **kwargs: Any) -> None:
    if _is_audited(sender):
        _on_delete(sender, **kwargs)


post_save.connect(_dispatch_save, dispatch_uid="fulian_audit_save")
post_delete.connect(_dispatch_delete, dispatch_uid="fulian_audit_delete")
