"""The request type of views behind the login: its ``user`` is this project's account."""

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from fulian.accounts.models import User

    class AuthedRequest(HttpRequest):
        """A request past the login middleware: typed for views."""

        user: User
        htmx: HtmxDetails

else:
    AuthedRequest = HttpRequest
