from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "fulian.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        from fulian.imports import permissions  # noqa: F401
