from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "fulian.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from fulian.people import exports, imports, permissions  # noqa: F401
