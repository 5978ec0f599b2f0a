from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "fulian.households"
    label = "households"
    verbose_name = _("Households")

    def ready(self) -> None:
        from fulian.households import exports, imports, permissions  # noqa: F401
