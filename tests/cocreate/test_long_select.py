"""LongSelect writes what Django's Select writes (it only skips the per-option template)."""

from django import forms
from django.test import SimpleTestCase

from accounts.forms import ProfileForm
from cocreate.long_select import LongSelect

CHOICES = [("UTC", "UTC"), ("a&b", "A & <b>"), ('q"uote', "Quote's"), ("Europe/Berlin", "Berlin")]


class LongSelectTests(SimpleTestCase):
    def assert_same(self, value, attrs=None):
        fast, plain = LongSelect(choices=CHOICES), forms.Select(choices=CHOICES)
        self.assertHTMLEqual(
            fast.render("tz", value, attrs=attrs), plain.render("tz", value, attrs=attrs)
        )

    def test_same_markup_as_select(self):
        self.assert_same(
            "Europe/Berlin", attrs={"id": "id_tz", "aria-describedby": "h", "required": True}
        )

    def test_escapes_values_and_labels_and_marks_the_selected_one(self):
        self.assert_same("a&b")
        html = LongSelect(choices=CHOICES).render("tz", 'q"uote')
        self.assertIn('<option value="q&quot;uote" selected>Quote&#x27;s</option>', html)
        self.assertIn("A &amp; &lt;b&gt;", html)

    def test_nothing_selected(self):
        self.assert_same(None)

    def test_the_profile_form_uses_it_for_time_zones(self):
        form = ProfileForm(initial={"timezone": "Europe/Berlin"})
        self.assertIsInstance(form.fields["timezone"].widget, LongSelect)
        html = str(form["timezone"])
        self.assertIn('<option value="Europe/Berlin" selected>', html)
        plain = ProfileForm(initial={"timezone": "Europe/Berlin"})
        plain.fields["timezone"].widget = forms.Select(choices=plain.fields["timezone"].choices)
        self.assertHTMLEqual(html, str(plain["timezone"]))
