"""Forms for the notification pages: channels per topic, muting a community, announcements."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Announcement, Channel
from .selectors import TopicChoice


class PreferencesForm(forms.Form):
    """One channel select per topic, named ``topic_<key>``."""

    def __init__(self, *args, choices: list[TopicChoice], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.topics = choices
        for choice in choices:
            self.fields[f"topic_{choice.key}"] = forms.ChoiceField(
                label=choice.label,
                choices=Channel.choices,
                initial=choice.channel,
                help_text=_("Default: %(channel)s") % {"channel": Channel(choice.default).label},
            )

    def rows(self):
        for choice in self.topics:
            yield choice, self[f"topic_{choice.key}"]

    def channels(self) -> dict[str, str]:
        return {c.key: self.cleaned_data[f"topic_{c.key}"] for c in self.topics}


class MuteForm(forms.Form):
    community = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    muted = forms.BooleanField(required=False)


class AnnouncementForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"body": _("Markdown: **bold**, *italic*, lists and links.")}
