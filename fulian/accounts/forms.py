from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from fulian.accounts.choices import BUSINESS_ROLES, Role
from fulian.accounts.models import User
from fulian.core.forms import Form
from fulian.core.personal import validate_mobile
from fulian.core.scoping import AnyUser
from fulian.orgs.forms import OrgChoiceField


class LoginForm(Form):
    identifier = forms.CharField(
        label=_("Username or mobile number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class AccountForm(Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=50)
    mobile = forms.CharField(label=_("Mobile number"), max_length=20, required=False)
    password = forms.CharField(
        label=_("Initial password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"] = OrgChoiceField(
            user=user,
            action="accounts.manage",
            label=_("Organisation"),
            help_text=_("The organisation the account belongs to."),
        )

    # Checked here as well as in the service, so that every field's problem shows at once.
    def clean_mobile(self) -> str:
        mobile: str = self.cleaned_data["mobile"]
        if mobile:
            validate_mobile(mobile)
        return mobile

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        validate_password(
            password, User(username=self.data.get("username", ""), full_name=self.data.get("full_name", ""))
        )
        return password


class GrantForm(Form):
    # No default: a role is chosen on purpose, never granted by leaving the first one selected.
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("Choose a role")), *[(r.value, r.label) for r in Role if r in BUSINESS_ROLES]],
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"] = OrgChoiceField(
            user=user,
            action="accounts.manage",
            label=_("Organisation"),
            help_text=_("The role reaches this organisation and everything below it."),
        )


class PasswordForm(Form):
    password = forms.CharField(
        label=_("New password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    confirm = forms.CharField(
        label=_("Repeat the new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("confirm"):
            self.add_error("confirm", _("The two passwords differ."))
        return data


class OwnPasswordForm(PasswordForm):
    """Changing one's own password: the current one first."""

    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "password", "confirm"]


class CodeForm(Form):
    """A second-factor code: 6 digits from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("6-digit code or recovery code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "characters",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )


class EnrolCodeForm(CodeForm):
    """The first code from the app: proves it holds the secret just shown."""

    code = forms.CharField(
        label=_("The 6-digit code the app now shows"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "spellcheck": "false"}
        ),
    )
