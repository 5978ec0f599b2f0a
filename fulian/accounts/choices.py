from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles are granted at an organisation and reach its subtree."""

    ADMIN = "admin", _("Administrator")
    STAFF = "staff", _("Staff")
    MEMBER = "member", _("Executive member")
    VIEWER = "viewer", _("Viewer")
    SECURITY = "security", _("Security officer")
    AUDITOR = "auditor", _("Audit officer")


BUSINESS_ROLES = frozenset({Role.ADMIN, Role.STAFF, Role.MEMBER, Role.VIEWER})
# 三员分立: system roles are held apart from business roles and from each other.
SYSTEM_ROLES = frozenset({Role.SECURITY, Role.AUDITOR})
