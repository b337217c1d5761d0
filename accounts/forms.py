from allauth.account.adapter import get_adapter
from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cocreate.long_select import LongSelect

from .models import TIMEZONE_CHOICES


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("The name other members see. Your email address is never shown."),
    )
    bio = forms.CharField(
        label=_("About you"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    expertise_tags = forms.CharField(
        label=_("Expertise"),
        max_length=600,
        required=False,
        help_text=_("Comma-separated, e.g. cycling, product design, accessibility."),
    )
    locale = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    timezone = forms.ChoiceField(
        label=_("Time zone"), choices=TIMEZONE_CHOICES, widget=LongSelect()
    )


class SignupForm(AllauthSignupForm):
    """allauth's sign-up with the name other members see: asked once, at the door, so nobody
    appears as an email address or a blank in a thread."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("The name other members see. Your email address is never shown."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["display_name", "email", "password1", "password2"]

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError(_("Tell us the name other members should see."))
        return name


class ChangePasswordForm(AllauthChangePasswordForm):
    """allauth's password change, the current password checked like a sign-in: a wrong one
    counts against the account's limit on wrong passwords (shared with the sign-in page, the
    token endpoint and re-authentication), and none is checked while the account is refused."""

    def clean_oldpassword(self) -> str:
        password = self.cleaned_data.get("oldpassword", "")
        adapter = get_adapter()
        # Raises the "too many attempts" error itself while the account is refused.
        if not adapter.reauthenticate(self.user, password):
            raise adapter.validation_error("enter_current_password")
        return password
