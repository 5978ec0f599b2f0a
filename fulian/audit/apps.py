from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "fulian.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from fulian.audit import permissions, signals  # noqa: F401
