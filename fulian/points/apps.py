from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "fulian.points"
    verbose_name = _("Points")

    def ready(self) -> None:
        from fulian.points import exports, permissions, receivers  # noqa: F401
