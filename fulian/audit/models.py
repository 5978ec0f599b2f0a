"""The append-only audit log, and the mixin that puts a model's changes into it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulian.audit.choices import Action
from fulian.core.scoping import Grant, ScopedQuerySet

if TYPE_CHECKING:
    from fulian.orgs.models import Organisation


# Columns nobody manages: kept by the system (flags Django's admin would use, timestamps,
# keyed hashes, search keys, the ancestry copied from ``org``). Never recorded, and hidden
# from the log where older events hold them.
INTERNAL_FIELDS = frozenset(
    {
        "id",
        "password",  # a new password is its own event (``accounts.services.user_set_password``)
        "is_superuser",
        "is_staff",
        "last_login",
        "date_joined",
        "created_at",
        "updated_at",
        "grants_version",
        "failed_logins",
        "search_keys",
        "name_pinyin",
        "name_initials",
        "depth",
        "id_hash",
        "mobile_hash",
        "import_batch",
        "import_row",
        "city",
        "county",
        "township",
        "village",
        "group",
    }
)


def is_internal(model: type[models.Model] | None, field: models.Field[Any, Any] | None, key: str) -> bool:
    """Whether ``key`` (a column of ``model``, or a detail) is left out of the log."""
    names = {key} if field is None else {field.name, field.attname}
    excluded: frozenset[str] = getattr(model, "audit_exclude", frozenset()) if model is not None else frozenset()
    return bool(names & (INTERNAL_FIELDS | excluded)) or any(n.endswith("_hash") for n in names)


class AuditedModel(models.Model):
    """Every create, update and delete of a subclass is written to the audit log.

    The values loaded from the database are kept so that an update records each changed
    field as old → new. ``audit_exclude`` names fields never written to the log;
    ``audit_masked`` names fields whose values are logged masked. The columns of
    ``INTERNAL_FIELDS`` are never logged.
    """

    audit_exclude: frozenset[str] = frozenset()
    audit_masked: dict[str, Any] = {}
    # How the log shows a field whose stored value means nothing to a reader (a bit mask of
    # categories): field name → function of the stored value.
    audit_labels: dict[str, Any] = {}

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._audit_loaded = dict(zip(field_names, values, strict=True))  # type: ignore[attr-defined]
        return instance

    def refresh_from_db(self, using: str | None = None, fields: Any = None, from_queryset: Any = None) -> None:
        """Reloaded values are what the database holds: they become the "before" of the next save."""
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        names = None if fields is None else set(fields)
        loaded = getattr(self, "_audit_loaded", {})
        for field in self._meta.concrete_fields:
            reloaded = names is None or field.name in names or field.attname in names
            if reloaded and field.attname in self.__dict__:
                loaded[field.attname] = getattr(self, field.attname)
        self._audit_loaded = loaded

    @property
    def audit_org(self) -> Organisation | None:
        raise NotImplementedError


# Keys of ``changes`` that are not model fields, with their labels.
DETAIL_LABELS = {
    "reason": _("reason"),
    "typed": _("name typed"),
    "field": _("field"),
    "source": _("source"),
    "created": _("created"),
    "renamed": _("renamed"),
    "moved": _("moved"),
    "token": _("API token"),
    "key": _("key"),
    "rows": _("rows"),
    "name": _("name"),
    "prefix": _("token begins with"),
    "tokens": _("API tokens"),
    "expires_at": _("expires at"),
    "second_factor": _("second factor"),
    "two_factor": _("two-factor login"),
    "posts_ended": _("posts ended"),
    "posts_kept": _("posts kept, anonymous"),
    "members_removed": _("members removed"),
    "members": _("members"),
    "batch": _("import"),
    "groups": _("village groups added"),
    "filters": _("filters"),
    "uploaded_by": _("uploaded by"),
    "members_included": _("with the members"),
    "new_password": _("new password"),
    # A column the model's changes leave out, which an event about it records on purpose.
    "locked_until": _("locked until"),
}

# Details stored as a code, shown by its label.
DETAIL_VALUES = {
    "new_password": {"officer": _("set by an officer"), "holder": _("chosen by the account's holder")},
    "reason": {
        "password": _("wrong password"),
        "code": _("wrong code"),
        "locked": _("locked"),
        "inactive": _("account deactivated"),
        "replaced": _("replaced by a new token"),
        "revoked": _("revoked"),
        "password changed": _("password changed"),
        "second factor missing": _("second factor missing"),
    },
    "second_factor": {"totp": _("authenticator code"), "recovery": _("recovery code")},
    "two_factor": {
        "enrolled": _("set up"),
        "recovery code used": _("a recovery code used"),
        "new recovery codes": _("new recovery codes"),
        "turned off": _("turned off"),
        "reset": _("reset by the security officer"),
    },
}


def change_label(object_type: str, key: str) -> str:
    """The readable name of a ``changes`` key: the model field's verbose name where it is one."""
    if key in DETAIL_LABELS:
        return str(DETAIL_LABELS[key])
    try:
        model = apps.get_model(object_type) if object_type else None
    except (LookupError, ValueError):
        model = None
    if model is not None:
        for field in model._meta.concrete_fields:
            if key in (field.attname, field.name):
                return str(field.verbose_name)
    return key


class AuditEventQuerySet(ScopedQuerySet["AuditEvent"]):
    pass


class AuditEvent(models.Model):
    """One thing that happened: who, when, from where, what, to which object, in which org.

    Append-only: the database refuses UPDATE and DELETE on this table (triggers created by
    the migration), and the model refuses to save an existing row.
    """

    scope_view_action = "audit.view"

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    org = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
        verbose_name=_("organisation"),
    )
    org_path = models.CharField(_("organisation path"), max_length=120, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [
            # Pattern ops: the scope is ``org_path LIKE '/430200/430223/%'``, which a plain btree
            # serves only under the C collation.
            models.Index(
                fields=["org_path", "-id"], name="audit_org_path_idx", opclasses=["varchar_pattern_ops", "int8_ops"]
            ),
            models.Index(fields=["actor_name", "-id"], name="audit_actor_idx"),
            models.Index(fields=["action", "-id"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Audit events are append-only.")

    @classmethod
    def scope_q(cls, grant: Grant) -> Q:
        # Events tied to no organisation (a failed login for an unknown name) are seen by
        # auditors at a root organisation only.
        q = Q(org_path__startswith=grant.path)
        return q | Q(org_path="") if grant.is_root else q

    def change_rows(self) -> list[tuple[str, Any, Any, bool]]:
        """``(label, old, new, is_change)`` rows for display, each field by its name in the
        reader's language; details that are not field changes have no old value."""
        rows = []
        for key, value in (self.changes or {}).items():
            label = change_label(self.object_type, key)
            if isinstance(value, list) and len(value) == 2:
                rows.append((label, value[0], value[1], True))
            else:
                rows.append((label, value, None, False))
        return rows
