"""The federation organisation tree: one organisation per administrative division."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fulian.audit.models import AuditedModel
from fulian.core.scoping import PathScopedModel, ScopedQuerySet
from fulian.orgs.choices import Level

# Official names are short (the longest in Zhuzhou has 14 characters); the loader and the
# services check this length so that SQLite, which does not enforce it, behaves like PostgreSQL.
NAME_MAX_LENGTH = 100
PINYIN_MAX_LENGTH = 400
INITIALS_MAX_LENGTH = 200
CODE_MAX_LENGTH = 15


class OrganisationNotFound(ValidationError):
    """No organisation with the code typed among those searched: the same message whether the
    code does not exist or lies outside the user's area, so it confirms nothing."""

    def __init__(self, code: str) -> None:
        super().__init__(
            gettext("No organisation with code %(code)s in your area.") % {"code": code}, code="org_not_found"
        )


class OrganisationQuerySet(ScopedQuerySet["Organisation"]):
    def by_code(self, code: str) -> Organisation:
        """The organisation with this division code among these — called on
        ``visible_to(user, action)``, so "within the user's scope". Spaces around the code are
        ignored; raises :class:`OrganisationNotFound` otherwise (too long a code included, without
        a query)."""
        code = code.strip()
        org = self.filter(code=code).first() if 0 < len(code) <= CODE_MAX_LENGTH else None
        if org is None:
            raise OrganisationNotFound(code)
        return org

    def search(self, text: str) -> OrganisationQuerySet:
        """Match the name, full pinyin or pinyin initials (``hlc`` finds 回龙村)."""
        text = text.strip()
        if not text:
            return self
        lowered = text.lower().replace(" ", "")
        return self.filter(
            Q(name__contains=text)
            | Q(display_name__contains=text)
            | Q(code__startswith=text)
            | Q(name_pinyin__contains=lowered)
            | Q(name_initials__contains=lowered)
        )


class Organisation(PathScopedModel, AuditedModel):
    """A women's federation organisation (妇联) at one division: 市, 县, 乡镇, 村, 村民小组.

    ``path`` is the materialised path of division codes from the root, such as
    ``/430200/430223/430223123/``; a subtree is one ``path LIKE '<prefix>%'``.
    """

    scope_view_action = "orgs.view"
    scope_path_field = "path"

    code = models.CharField(_("division code"), max_length=CODE_MAX_LENGTH, unique=True)
    name = models.CharField(_("official name"), max_length=NAME_MAX_LENGTH)
    display_name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organisation"),
    )
    path = models.CharField(_("path"), max_length=120, unique=True)
    depth = models.PositiveSmallIntegerField(_("depth"))
    name_pinyin = models.CharField(max_length=PINYIN_MAX_LENGTH, blank=True)
    name_initials = models.CharField(max_length=INITIALS_MAX_LENGTH, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["parent", "code"]),
            models.Index(fields=["level", "path"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(parent__isnull=True) | Q(depth__gt=1), name="org_child_depth"),
        ]

    def __str__(self) -> str:
        return self.federation_name

    @property
    def federation_name(self) -> str:
        """``回龙村妇联``: the federation of this division (a village group has none of its own)."""
        if self.level == Level.GROUP:
            return self.display_name
        return _("%(name)s Women's Federation") % {"name": self.display_name}

    @property
    def audit_org(self) -> Organisation:
        return self

    def ancestor_codes(self) -> list[str]:
        """Division codes from the root down to the parent."""
        return self.path.strip("/").split("/")[:-1]


class OrgCount(models.Model):
    """How many current rows of one big table (``kind``: households, people) belong directly to
    one organisation: the summary that city and county lists read "about N" from, so that no
    list page counts a million rows. Rebuilt from the table by ``orgs.counts.refresh`` (nightly
    with ``manage.py refresh_counts``, after each import and undo, and by the demo loader);
    rows added or archived one at a time in between are not in it, hence "about"."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation"))
    kind = models.CharField(_("kind"), max_length=20)
    count = models.PositiveIntegerField(_("count"), default=0)
    counted_at = models.DateTimeField(_("counted at"), auto_now=True)

    class Meta:
        verbose_name = _("organisation count")
        verbose_name_plural = _("organisation counts")
        constraints = [models.UniqueConstraint(fields=["kind", "org"], name="orgs_orgcount_kind_org")]

    def __str__(self) -> str:
        return f"{self.kind} {self.org_id}: {self.count}"
