from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOCKED = "locked", _("Account locked")
    IP_BLOCKED = "ip_blocked", _("Address blocked")
    LOGOUT = "logout", _("Logged out")
    TOKEN = "token", _("API token issued")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    TWO_FACTOR = "two_factor", _("Two-factor login changed")
    REVEAL = "reveal", _("Personal data revealed")
    LOAD = "load", _("Division codes loaded")
    IMPORT = "import", _("Imported")
    EXPORT = "export", _("Exported with full personal data")
    ARCHIVE = "archive", _("Archived")
    RESTORE = "restore", _("Restored from the archive")
    ERASE = "erase", _("Erased (personal information deletion)")
    UNDO_IMPORT = "import_undone", _("Import undone")
    PROMOTE = "promote", _("Promoted to executive member")
