"""Accounts, the roles they hold at organisations, failed login attempts, API tokens and second factors."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fulian.accounts.choices import Role
from fulian.audit.models import AuditedModel
from fulian.core.personal import EncryptedTextField, keyed_hash, mask_mobile, normalise_mobile
from fulian.core.scoping import AnyUser, PathScopedModel, ScopedQuerySet, grants_for
from fulian.orgs.models import Organisation


class UserQuerySet(ScopedQuerySet["User"]):
    pass


class FulianUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username__iexact=username)


def _hidden(_value: Any) -> str:
    return "******"


class User(PathScopedModel, AuditedModel, AbstractUser):
    """A person who logs in. ``org`` is the organisation the account belongs to; what the
    account may see and do comes from its role grants, not from ``org``."""

    scope_view_action = "accounts.manage"
    scope_path_field = "org__path"
    audit_exclude = frozenset({"last_login", "failed_logins", "locked_until", "mobile_hash", "grants_version"})
    audit_masked = {"password": _hidden, "mobile": mask_mobile}

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    org = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("organisation"),
    )
    mobile = EncryptedTextField(_("mobile number"), null=True, blank=True)
    mobile_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    failed_logins = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True, editable=False)
    # Goes up whenever the account's role grants change, or an organisation it holds one at
    # moves: a process may reuse the grants it loaded while this number stays the same
    # (``core.scoping.user_grants``). The account row is read on every request.
    grants_version = models.PositiveIntegerField(default=0, editable=False)
    # Set when someone else chose the password (an officer creating the account or resetting
    # it, the system administrator from the shell); cleared when the holder chooses her own.
    must_change_password = models.BooleanField(_("must choose a new password"), default=False, editable=False)

    objects = FulianUserManager()  # type: ignore[misc]

    class Meta(AbstractUser.Meta):
        verbose_name = _("account")  # type: ignore[assignment]
        verbose_name_plural = _("accounts")  # type: ignore[assignment]
        ordering = ["username"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.username})" if self.full_name else self.username

    def set_mobile(self, mobile: str | None) -> None:
        """Store a mobile number encrypted, with its keyed hash for login and uniqueness."""
        value = normalise_mobile(mobile or "")
        self.mobile = value or None
        self.mobile_hash = keyed_hash(value) if value else None

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile) if self.mobile else ""

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()

    @property
    def audit_org(self) -> Organisation | None:
        return self.org


def grants_changed(users: Any) -> None:
    """The grants of ``users`` (a queryset or ids) changed: loaded copies are stale."""
    ids = users.values("pk") if isinstance(users, models.QuerySet) else list(users)
    User.objects.filter(pk__in=ids).update(grants_version=F("grants_version") + 1)


class RoleGrantQuerySet(ScopedQuerySet["RoleGrant"]):
    """Writes that skip ``save`` and the delete signals still mark the accounts' grants stale."""

    def update(self, **kwargs: Any) -> int:
        users = set(self.values_list("user_id", flat=True))
        updated = super().update(**kwargs)
        grants_changed(users | set(self.values_list("user_id", flat=True)))
        return updated

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[RoleGrant]:
        created = super().bulk_create(objs, *args, **kwargs)
        grants_changed({grant.user_id for grant in created})
        return created


class RoleGrant(PathScopedModel, AuditedModel):
    """A role held by an account at an organisation, reaching its whole subtree."""

    scope_view_action = "accounts.manage"
    scope_path_field = "org__path"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants", verbose_name=_("account"))
    org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="grants", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("granted by")
    )
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        ordering = ["org__path", "role"]
        constraints = [models.UniqueConstraint(fields=["user", "org", "role"], name="unique_role_grant")]

    def __str__(self) -> str:
        # Codes, not labels: this text is kept in the audit log, whatever language is active.
        return f"{self.user.username}: {self.role} @ {self.org.display_name} {self.org.code}"

    @property
    def audit_org(self) -> Organisation:
        return self.org


class LoginFailure(models.Model):
    """A failed login, kept to lock accounts and addresses (the audit log has them too).

    For a known account the lock lives on the account (``User.failed_logins``/``locked_until``).
    An unknown name has no account, so its lock is kept here: ``locked_until`` is set on the
    failure that locked it, and only ``reason="password"`` failures after that count towards
    the next lock, exactly as for an account (a refused attempt during a lock changes nothing).
    """

    REASON_PASSWORD = "password"
    REASON_LOCKED = "locked"
    REASON_CODE = "code"

    at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # A mobile number normalised to its 11 digits, else the name in lower case.
    identifier = models.CharField(max_length=150)
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    reason = models.CharField(
        max_length=10,
        choices=[(REASON_PASSWORD, "password"), (REASON_LOCKED, "locked"), (REASON_CODE, "code")],
        default=REASON_PASSWORD,
    )
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["ip", "at"], name="loginfail_ip_idx"),
            models.Index(fields=["identifier", "at"], name="loginfail_ident_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.identifier} {self.ip}"


class ApiTokenQuerySet(ScopedQuerySet["ApiToken"]):
    def visible_to(self, user: AnyUser, action: str | None = None) -> ApiTokenQuerySet:
        """One's own tokens, and (security officers) those of the accounts of one's subtree."""
        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
            return self.none()
        condition = Q(user=user)
        for grant in grants_for(user, action or self.model.scope_view_action):
            condition |= self.model.scope_q(grant)
        return self.filter(condition)

    def active(self) -> ApiTokenQuerySet:
        """Tokens that still open the API: neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(PathScopedModel):
    """An API token of one device or client, named by its owner. Only the SHA-256 of the
    token is stored (the token is shown once, when it is issued); ``prefix`` — its first
    characters, which are not secret — tells tokens apart in lists."""

    scope_view_action = "accounts.manage"
    scope_path_field = "user__org__path"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("account"))
    name = models.CharField(_("device or client"), max_length=100)
    prefix = models.CharField(_("token begins with"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # Issued after a second factor: an account that comes to need one (a role granted) stops
    # being served by tokens issued without it.
    two_factor = models.BooleanField(default=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="apitoken_user_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def audit_org(self) -> Organisation | None:
        return self.user.org


class TwoFactor(models.Model):
    """An account's authenticator (TOTP, RFC 6238): its secret, encrypted at rest, and the
    last time-step a code was accepted for, so that a code is never accepted twice. Until
    ``confirmed_at`` is set (a valid code typed during enrolment) it does not count."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="two_factor", verbose_name=_("account")
    )
    secret = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(_("set up at"), null=True, blank=True)
    last_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"two-factor of {self.user_id}"


class RecoveryCode(models.Model):
    """A one-time code that replaces an authenticator code (a lost phone). Stored as the keyed
    hash of the code; ``used_at`` is set when it is spent."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="unique_recovery_code")]

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"


@receiver(post_save, sender=RoleGrant)
@receiver(post_delete, sender=RoleGrant)
def _grant_written(sender: Any, instance: RoleGrant, **kwargs: Any) -> None:
    grants_changed([instance.user_id])


@receiver(post_save, sender=Organisation)
def _organisation_saved(sender: Any, instance: Organisation, created: bool, **kwargs: Any) -> None:
    """A grant carries its organisation's path and level: a saved organisation (moved, or
    re-levelled) makes the grants held at it stale."""
    if not created:
        grants_changed(User.objects.filter(grants__org=instance))
