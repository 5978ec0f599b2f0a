"""The roster: people (执委, 骨干, volunteers), the terms (届) of each federation, and posts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from fulian.audit.models import AuditedModel
from fulian.core.ancestry import AncestryScopedModel
from fulian.core.archive import ArchivableModel, ArchivableQuerySet
from fulian.core.personal import EncryptedTextField, PersonalFields, mask_id_number, mask_mobile
from fulian.core.scoping import PathScopedModel, ScopedQuerySet
from fulian.core.search import SearchFields, search_q
from fulian.people.choices import Education, Gender, PersonKind, PoliticalStatus, PostKind, post_title

NAME_MAX_LENGTH = 50
KEYS_MAX_LENGTH = 400
PERSON_SEARCH = SearchFields()


class PersonQuerySet(ArchivableQuerySet["Person"]):
    def search(self, text: str) -> PersonQuerySet:
        """By name (from its start), pinyin (``zth``), mobile or ID number (exact)."""
        condition = search_q(text, PERSON_SEARCH)
        return self if condition is None else self.filter(condition)

    def of_kind(self, kind: str) -> PersonQuerySet:
        current = Post.objects.filter(person=OuterRef("pk"), end_date__isnull=True)
        if kind == PersonKind.EXECUTIVE:
            return self.filter(Exists(current))
        if kind == PersonKind.REPRESENTATIVE:
            return self.filter(Exists(current.filter(is_representative=True)))
        if kind == PersonKind.BACKBONE:
            return self.filter(backbone_since__isnull=False).exclude(Exists(current))
        if kind == PersonKind.VOLUNTEER:
            return self.filter(volunteer_since__isnull=False)
        return self


class Person(PersonalFields, ArchivableModel, AncestryScopedModel, AuditedModel):
    """A woman (or man) known to the federation: an executive member, a backbone activist, a
    volunteer, or several of these. ``org`` is where she lives and is kept on the books (a
    village, its group, or the federation she works for); her posts may be elsewhere.
    Archived when she is no longer on the books; erased (an anonymous shell) on request."""

    scope_view_action = "people.view"
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
        }
    )
    audit_masked = {"id_number": mask_id_number, "mobile": mask_mobile}

    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    search_keys = models.CharField(max_length=KEYS_MAX_LENGTH, blank=True, editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, default=Gender.FEMALE)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    id_number = EncryptedTextField(_("ID number"), null=True, blank=True)
    id_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    mobile = EncryptedTextField(_("mobile number"), null=True, blank=True)
    mobile_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    mobile_tail_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    political_status = models.CharField(
        _("political status"), max_length=20, choices=PoliticalStatus.choices, blank=True
    )
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    occupation = models.CharField(_("workplace or occupation"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    skills = models.CharField(_("skills and tags"), max_length=200, blank=True)
    photo = models.ImageField(_("photo"), upload_to="people/photos/%Y/%m/", blank=True)
    backbone_since = models.DateField(_("backbone activist since"), null=True, blank=True)
    volunteer_since = models.DateField(_("volunteer registered on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The login of an executive member who uses the platform herself (her duties, her visits).
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("account"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The upload that created the row, and its row in the sheet: an import can be undone.
    import_batch = models.BigIntegerField(null=True, blank=True, editable=False)
    import_row = models.IntegerField(null=True, blank=True, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["id"]
        # Hashes are looked up by equality only: declared here, not with unique=/db_index= on the
        # field, which on PostgreSQL adds a second, pattern-ops copy of each index.
        indexes = [
            *AncestryScopedModel.ancestry_indexes("people_person"),
            models.Index(fields=["mobile_hash"], name="people_person_mobile_hash"),
            models.Index(fields=["mobile_tail_hash"], name="people_person_mobile_tail"),
            ArchivableModel.archived_index("people_person"),
            models.Index(
                fields=["import_batch"], name="people_person_import_batch", condition=Q(import_batch__isnull=False)
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["id_hash"], name="people_person_id_hash_unique")]

    def __str__(self) -> str:
        return self.name if self.erased_at is None else str(_("(erased)"))


class TermQuerySet(ScopedQuerySet["Term"]):
    pass


class Term(PathScopedModel, AuditedModel):
    """One term (届) of a federation's executive committee; the open one has no ``ended_on``."""

    scope_view_action = "people.view"
    audit_exclude = frozenset({"import_batch"})

    org = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="terms", verbose_name=_("organisation")
    )
    number = models.PositiveSmallIntegerField(_("term number"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("planned end date"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    # Opened by an import (its first post came from a roster): removed if the import is undone.
    import_batch = models.BigIntegerField(null=True, blank=True, editable=False)

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["org", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="people_term_number_unique"),
            models.UniqueConstraint(fields=["org"], condition=Q(ended_on__isnull=True), name="people_term_one_open"),
        ]

    def __str__(self) -> str:
        return _("%(org)s, term %(number)s") % {"org": self.org, "number": self.number}

    @property
    def audit_org(self) -> Any:
        return self.org

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class PostQuerySet(ScopedQuerySet["Post"]):
    def current(self) -> PostQuerySet:
        return self.filter(end_date__isnull=True)

    def search(self, text: str) -> PostQuerySet:
        condition = search_q(
            text,
            SearchFields(
                name="person__name",
                keys="person__search_keys",
                mobile_hash="person__mobile_hash",
                mobile_tail_hash="person__mobile_tail_hash",
                id_hash="person__id_hash",
            ),
        )
        return self if condition is None else self.filter(condition)


class Post(AncestryScopedModel, AuditedModel):
    """A person's post in one term of one federation (``org`` is the term's organisation).
    Ending a post keeps it as history; a person may hold posts at several levels at once."""

    scope_view_action = "people.view"
    audit_exclude = frozenset({"import_batch", "updated_at"})

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="posts", verbose_name=_("person"))
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="posts", verbose_name=_("term"))
    kind = models.CharField(_("post"), max_length=30, choices=PostKind.choices)
    is_representative = models.BooleanField(_("her representative (她代表)"), default=False)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # When the post last changed (an undone import must not remove a post edited since); null
    # for posts given before the column existed.
    updated_at = models.DateTimeField(auto_now=True, null=True)
    import_batch = models.BigIntegerField(null=True, blank=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["id"]
        indexes = [
            *AncestryScopedModel.ancestry_indexes("people_post"),
            # "Who holds a post of this kind now": the people list's post filter.
            models.Index(
                fields=["kind", "person"], name="people_post_current_kind", condition=Q(end_date__isnull=True)
            ),
            models.Index(
                fields=["import_batch"], name="people_post_import_batch", condition=Q(import_batch__isnull=False)
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "term"], name="people_post_one_per_term"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()}"

    @property
    def title(self) -> str:
        """The post with its federation, in the reader's language's order (``新市镇主席``)."""
        return post_title(self.org.display_name, self.kind)
