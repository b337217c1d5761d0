"""Forms of the trust pages: they parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cocreate.form_errors import ServiceErrorsMixin

from .models import ConsentPurpose


class PurposeForm(ServiceErrorsMixin, forms.Form):
    """A new purpose with the words of its first version (a draft until published)."""

    key = forms.SlugField(label=_("Short key"), max_length=50, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("In plain words"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    text = forms.CharField(
        label=_("Full text"), max_length=50000, widget=forms.Textarea(attrs={"rows": 8})
    )
    required = forms.BooleanField(label=_("Required to join"), required=False)


class VersionForm(ServiceErrorsMixin, forms.Form):
    """The words of the purpose's next version."""

    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("In plain words"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    text = forms.CharField(
        label=_("Full text"), max_length=50000, widget=forms.Textarea(attrs={"rows": 8})
    )


class UseForm(ServiceErrorsMixin, forms.Form):
    """Staff record one use of a contribution."""

    purpose = forms.ModelChoiceField(label=_("Purpose"), queryset=ConsentPurpose.objects.none())
    what = forms.CharField(label=_("What was used, and how"), max_length=300)
    where = forms.CharField(label=_("Where"), max_length=300)

    def __init__(self, *args, purposes, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["purpose"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = purposes
        field.label_from_instance = lambda p: p.title


class EraseForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To be sure it is you, enter the password you sign in with."),
    )
