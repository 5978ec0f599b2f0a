from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridConfig(AppConfig):
    name = "fulian.grid"
    label = "grid"
    verbose_name = _("Responsibility grid")

    def ready(self) -> None:
        from fulian.grid import imports, permissions, receivers  # noqa: F401
