"""The household registry: every household belongs to one village (and optionally a group)."""

from __future__ import annotations

from typing import Self, TypeVar

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fulian.audit.models import AuditedModel
from fulian.core.ancestry import AncestryScopedModel
from fulian.core.archive import ArchivableModel, ArchivableQuerySet
from fulian.core.personal import EncryptedTextField, PersonalFields, mask_id_number, mask_mobile
from fulian.core.search import SearchFields, search_q
from fulian.core.words import list_text
from fulian.households.choices import HouseholdCategory, MemberCategory, Relation, labels_of
from fulian.people.choices import Gender

NAME_MAX_LENGTH = 50
KEYS_MAX_LENGTH = 400


_M = TypeVar("_M", bound=models.Model)


class CategoryQuerySet(ArchivableQuerySet[_M]):
    search_fields = SearchFields()

    def search(self, text: str) -> Self:
        """By name (from its start), pinyin (``zth``), phone or ID number (exact)."""
        condition = search_q(text, self.search_fields)
        return self if condition is None else self.filter(condition)

    def in_category(self, flag: int) -> Self:
        return self.alias(_flag=F("categories").bitand(flag)).filter(_flag=flag)


class HouseholdQuerySet(CategoryQuerySet["Household"]):
    search_fields = SearchFields(name="head_name")


class Household(PersonalFields, ArchivableModel, AncestryScopedModel, AuditedModel):
    """A household (户): its head, where it lives, how many people, how to reach it, and the
    categories that make it a household the federation looks after. ``org`` is its village,
    or the village group when known. Archived with its members when it leaves the books;
    erased (an anonymous shell, its members deleted) on request."""

    scope_view_action = "households.view"
    audit_exclude = frozenset(
        {
            "search_keys",
            "id_hash",
            "mobile_hash",
            "mobile_tail_hash",
            "created_at",
            "updated_at",
            "import_batch",
            "import_row",
            "covered",
            "last_contact_on",
        }
    )
    audit_masked = {"id_number": mask_id_number, "mobile": mask_mobile}
    audit_labels = {"categories": lambda value: list_text(labels_of(int(value), HouseholdCategory))}

    head_name = models.CharField(_("head of household"), max_length=NAME_MAX_LENGTH)
    search_keys = models.CharField(max_length=KEYS_MAX_LENGTH, blank=True, editable=False)
    id_number = EncryptedTextField(_("head's ID number"), null=True, blank=True)
    id_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    mobile = EncryptedTextField(_("phone"), null=True, blank=True)
    mobile_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    mobile_tail_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # The size follows the member list (the head counts as one unless listed among them), kept
    # here by the services that add and remove members, so that lists read it without a count;
    # or it is the number someone wrote by hand (``members_count_manual``), which it stays.
    members_count = models.PositiveSmallIntegerField(_("number of people"), default=1)
    members_count_manual = models.BooleanField(_("number of people set by hand"), default=False)
    categories = models.PositiveIntegerField(_("categories"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    # Kept by the grid (fulian.grid.coverage), never set here: whether a 执委 is responsible for
    # the household today (directly, through its group or its whole village), and the day a
    # 执委 last recorded a contact with it. Lists of the uncovered and the long uncontacted read
    # them without a join over the assignments.
    covered = models.BooleanField(
        _("has a responsible executive member"), default=False, db_default=False, editable=False
    )
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The upload that created the row, and its row in the sheet: an import can be undone. Its
    # index is a PostgreSQL BRIN (migration 0003): the rows of one upload are written together.
    import_batch = models.BigIntegerField(null=True, blank=True, editable=False)
    import_row = models.IntegerField(null=True, blank=True, editable=False)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["id"]
        # Hashes are looked up by equality only: declared here, not on the field, which on
        # PostgreSQL adds a second, pattern-ops copy of each index (118 MB each at city scale).
        indexes = [
            *AncestryScopedModel.ancestry_indexes("households_household"),
            models.Index(fields=["mobile_hash"], name="households_household_mobile"),
            # One value in 10,000 numbers: a suffix matches ~N/10,000 rows, which the scope
            # column then narrows (the scope is applied to those few, not the other way round).
            models.Index(fields=["mobile_tail_hash"], name="households_household_tail"),
            ArchivableModel.archived_index("households_household"),
            # The uncovered households of a scope (不留死角 made a list): a few percent of rows.
            *(
                models.Index(
                    fields=[level, "id"],
                    name=f"households_uncovered_{level}"[:30],
                    condition=Q(covered=False, archived_at__isnull=True),
                )
                for level in ("city", "county", "township", "village")
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["id_hash"], name="households_household_id_hash")]

    def __str__(self) -> str:
        return self.head_name if self.erased_at is None else str(_("(erased)"))

    @property
    def category_labels(self) -> list[str]:
        return labels_of(self.categories, HouseholdCategory)


class MemberQuerySet(CategoryQuerySet["HouseholdMember"]):
    search_fields = SearchFields(mobile_hash=None, mobile_tail_hash=None)


class HouseholdMember(PersonalFields, AncestryScopedModel, AuditedModel):
    """A member of a household, with the categories (留守儿童 …) that make her someone the
    federation cares for. Placed like her household, so care lists are scoped on this table;
    archived with it (``archived_at`` is copied, so that the lists need no join)."""

    scope_view_action = "households.view"
    audit_exclude = frozenset({"search_keys", "id_hash"})
    audit_masked = {"id_number": mask_id_number}
    audit_labels = {"categories": lambda value: list_text(labels_of(int(value), MemberCategory))}
    mobile = None  # type: ignore[assignment]
    mobile_hash = None  # type: ignore[assignment]
    mobile_tail_hash = None  # type: ignore[assignment]

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="members", verbose_name=_("household")
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    search_keys = models.CharField(max_length=KEYS_MAX_LENGTH, blank=True, editable=False)
    relation = models.CharField(_("relation to the head"), max_length=20, choices=Relation.choices)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    id_number = EncryptedTextField(_("ID number"), null=True, blank=True)
    id_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    categories = models.PositiveIntegerField(_("categories"), default=0)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["id"]
        indexes = AncestryScopedModel.ancestry_indexes("households_member")
        constraints = [models.UniqueConstraint(fields=["id_hash"], name="households_member_id_hash")]

    def __str__(self) -> str:
        return self.name

    @property
    def category_labels(self) -> list[str]:
        return labels_of(self.categories, MemberCategory)
