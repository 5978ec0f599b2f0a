from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutiesConfig(AppConfig):
    name = "fulian.duties"
    verbose_name = _("Duties")

    def ready(self) -> None:
        from fulian.duties import exports, permissions  # noqa: F401
