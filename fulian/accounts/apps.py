from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fulian.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from fulian.accounts import permissions  # noqa: F401
        from fulian.accounts.api import schema  # noqa: F401 - registers the schema's auth descriptions
