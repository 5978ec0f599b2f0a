from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "fulian.orgs"
    label = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from fulian.orgs import permissions  # noqa: F401
