"""Account forms. Passwords follow Django's validators (12+ characters, not common, not like the
e-mail address or name) and nothing else: no composition rules, and pasting is allowed (docs/quality.md S2)."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from lib.forms import AccessibleFormMixin
from outbox.actions import queue_mail

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PASSWORD_HINT = _(
    "At least 12 characters. A few unrelated words make a strong password that is easy to remember; "
    "you can paste one from a password manager."
)


def email_field() -> forms.EmailField:
    return forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


def password_field(label: "StrOrPromise", *, new: bool, help_text: "StrOrPromise" = "") -> forms.CharField:
    autocomplete = "new-password" if new else "current-password"
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class SignupForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = email_field()
    password = password_field(_("Password"), new=True, help_text=PASSWORD_HINT)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password")
        if password:
            candidate = User(email=data.get("email", ""), first_name=data.get("name", ""))
            try:
                password_validation.validate_password(password, user=candidate)
            except ValidationError as error:
                self.add_error("password", error)
        return data


class LoginForm(AccessibleFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = password_field(_("Password"), new=False)


class CodeForm(AccessibleFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"}),
    )


class SetupCodeForm(AccessibleFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code from your app"),
        max_length=10,
        help_text=_("Enter the 6-digit code your authenticator app shows now."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class EmailForm(AccessibleFormMixin, forms.Form):
    email = email_field()


class PasswordResetForm(AccessibleFormMixin, auth_forms.PasswordResetForm):
    email = email_field()

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # Through the outbox like every other mail (plain text only): queued, sent after the commit, retried.
        queue_mail(
            to_email,
            subject=render_to_string(subject_template_name, context),
            body=render_to_string(email_template_name, context),
            kind=email_template_name.removesuffix(".txt"),
        )


class SetPasswordForm(AccessibleFormMixin, auth_forms.SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password1"].help_text = PASSWORD_HINT
        self.fields["new_password2"].label = _("New password again")
        self.fields["new_password2"].help_text = ""
        self.wire_aria()


class PasswordChangeForm(AccessibleFormMixin, auth_forms.PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password1"].help_text = PASSWORD_HINT
        self.fields["new_password2"].label = _("New password again")
        self.fields["new_password2"].help_text = ""
        self.wire_aria()


def authenticator_code_field(help_text: "StrOrPromise") -> forms.CharField:
    return forms.CharField(
        label=_("Code from your app"),
        max_length=20,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"}),
    )


class RecoveryCodesForm(AccessibleFormMixin, forms.Form):
    """Confirms new recovery codes with a current authenticator code (see actions.do_replace_recovery_codes)."""

    code = authenticator_code_field(_("The 6-digit code your authenticator app shows now."))


class DisableMFAForm(AccessibleFormMixin, forms.Form):
    password = password_field(_("Your password"), new=False)
    code = authenticator_code_field(
        _("The 6-digit code your authenticator app shows now, or one of your unused recovery codes.")
    )
