from django import forms
from django.utils.translation import gettext_lazy as _

from cocreate.form_errors import ServiceErrorsMixin

from .services.rules import MAX_POINTS


def _points(label, help_text=""):
    return forms.IntegerField(
        label=label, min_value=0, max_value=MAX_POINTS, help_text=help_text, required=True
    )


class RulesForm(ServiceErrorsMixin, forms.Form):
    """A new version of the earning rules (every field, prefilled with the current version)."""

    submitted = _points(_("A contribution submitted"))
    accepted = _points(_("A contribution accepted"))
    shipped = _points(_("A contribution shipped"))
    official_response = _points(_("An official response to a member's contribution"))
    helpful = _points(_("A comment marked helpful"))
    support = _points(_("Each support a contribution receives"))
    supports_per_day = _points(_("Supports that earn points, per member per day"))
    daily_cap = _points(
        _("Most points a member earns per day"), _("Anything beyond it that day earns nothing.")
    )
