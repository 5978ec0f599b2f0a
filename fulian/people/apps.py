from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "fulian.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from fulian.orgs import counts
        from fulian.people import exports, imports, permissions  # noqa: F401
        from fulian.people.models import Person

        # What city and county lists read "about N" from: the current rows, per organisation.
        counts.register("people", lambda: Person.objects.filter(archived_at__isnull=True))
