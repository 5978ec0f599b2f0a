from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "fulian.campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from fulian.campaigns import exports, permissions  # noqa: F401
        from fulian.campaigns.imports import nominations  # noqa: F401
