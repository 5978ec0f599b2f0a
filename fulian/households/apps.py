from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "fulian.households"
    label = "households"
    verbose_name = _("Households")

    def ready(self) -> None:
        from fulian.households import exports, imports, permissions  # noqa: F401
        from fulian.households.models import Household
        from fulian.orgs import counts

        # What city and county lists read "about N" from: the current rows, per organisation.
        counts.register("households", lambda: Household.objects.filter(archived_at__isnull=True))
