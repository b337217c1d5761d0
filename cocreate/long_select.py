"""A ``<select>`` for long flat lists (e.g. the ~600 time zones), rendered in Python.

Django's ``Select`` renders every option through a template (``select_option.html``): for the
time-zone list that is ~1,200 template renders and 180 ms of CPU per profile page
(bench/profile_page.py). This widget writes the same markup in one pass, escaped as Django
escapes it; the choices must be flat ``(value, label)`` pairs (no option groups)."""

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


class LongSelect(forms.Select):
    """``forms.Select`` with its options written in one pass, the selected one marked; the
    ``<select>`` element's attributes as ``Select``'s (``required`` comes from the bound field,
    as for every widget)."""

    def render(
        self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        selected = {str(v) for v in self.format_value(value)}
        options = "\n".join(
            f'<option value="{escape(option)}"{" selected" if str(option) in selected else ""}>'
            f"{escape(label)}</option>"
            for option, label in self.choices
        )
        # Every value and label is escaped above, the attributes by flatatt.
        return mark_safe(f"<select{flatatt(final)}>\n{options}\n</select>")  # noqa: S308
