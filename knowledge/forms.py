"""Forms that parse the input of the knowledge pages; the services validate again and write.

Toolkit answers are built from a toolkit version's field definitions: each definition becomes a
form field named ``field_<key>``, the same key the services use for their errors, so a service
error lands on the field it is about.
"""

from typing import cast

from django import forms
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from cocreate.dates import displayable_date
from cocreate.form_errors import ServiceErrorsMixin

from .models import Challenge, Contribution, FieldType, Kind
from .selectors import FEED_SORTS
from .services import TRANSITIONS

SORT_LABELS = {
    "new": _("Newest"),
    "top": _("Most supported"),
    "discussed": _("Most discussed"),
    "trending": _("Trending"),
}
ROW_TYPES = [(value, label) for value, label in FieldType.choices]


# --- Feed and search ----------------------------------------------------------------------------


class FeedFilterForm(forms.Form):
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(key, SORT_LABELS.get(key, key)) for key in FEED_SORTS],
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40)
    challenge = forms.TypedChoiceField(
        label=_("Challenge"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, challenges=(), with_challenge=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Any kind")), *Kind.choices]
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("Any status"))] + [
            (value, label) for value, label in Contribution.Status.choices if value != "draft"
        ]
        if with_challenge:
            self.fields["challenge"].choices = [("", _("Any challenge"))] + [
                (c.pk, c.title) for c in challenges
            ]
        else:
            del self.fields["challenge"]

    def filters(self) -> dict:
        """The valid filters; an invalid value is ignored rather than failing the page."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "sort": data.get("sort") or "new",
            "kind": data.get("kind") or "",
            "status": data.get("status") or "",
            "tag": data.get("tag") or "",
            "challenge_id": data.get("challenge"),
        }


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search ideas"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


# --- Contributions ------------------------------------------------------------------------------


def _answer_field(definition: dict) -> forms.Field:
    """A form field for one toolkit field definition. Required-ness is checked by the service
    (drafts may be incomplete); the browser hint is the ``required`` attribute, which the
    "Save draft" button skips with ``formnovalidate``."""
    ftype = definition["type"]
    label = definition["label"]
    if definition.get("required"):
        label = _("%(label)s (required)") % {"label": label}
    # Django renders help_text unescaped (it is meant for developers' HTML); this one is written
    # by a community manager, so it is escaped here.
    common = {"label": label, "required": False, "help_text": escape(definition.get("help", ""))}
    hint = {"required": True} if definition.get("required") else {}
    if ftype == FieldType.SHORT_TEXT:
        return forms.CharField(max_length=200, widget=forms.TextInput(attrs=hint), **common)
    if ftype == FieldType.LONG_TEXT:
        return forms.CharField(
            max_length=10000, widget=forms.Textarea(attrs={"rows": 4, **hint}), **common
        )
    if ftype == FieldType.CHOICE:
        choices = [(c, c) for c in definition.get("choices", [])]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect(attrs=hint), **common)
    if ftype == FieldType.MULTIPLE_CHOICE:
        choices = [(c, c) for c in definition.get("choices", [])]
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if ftype == FieldType.NUMBER:
        return forms.CharField(
            max_length=40, widget=forms.NumberInput(attrs={"step": "any", **hint}), **common
        )
    if ftype == FieldType.URL:
        return forms.CharField(
            max_length=2000,
            widget=forms.URLInput(attrs={"placeholder": "https://", **hint}),
            **common,
        )
    # Yes / no
    return forms.ChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect(attrs=hint),
        **common,
    )


def _initial_answer(definition: dict, value):
    if definition["type"] == FieldType.YES_NO and value is not None:
        return "yes" if value else "no"
    return value


class ContributionForm(ServiceErrorsMixin, forms.Form):
    """Title, Markdown body, tags, and one field per toolkit field definition."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, *italic*, [links](https://example.com), lists."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas, e.g. noise, chains. Up to 10."),
    )

    def __init__(self, *args, definitions: list[dict], answers: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.definitions = definitions
        answers = answers or {}
        for definition in definitions:
            name = f"field_{definition['key']}"
            self.fields[name] = _answer_field(definition)
            if definition["key"] in answers:
                self.fields[name].initial = _initial_answer(definition, answers[definition["key"]])

    @property
    def answer_fields(self) -> list:
        return [self[f"field_{d['key']}"] for d in self.definitions]

    @property
    def base_fields_bound(self) -> list:
        return [self["title"], self["body"], self["tags"]]

    def answers(self) -> dict:
        result = {}
        for definition in self.definitions:
            value = self.cleaned_data.get(f"field_{definition['key']}")
            if value in ("", None, []):
                continue
            result[definition["key"]] = value
        return result


class StatusForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(
        label=_("Reason (shown to the contributor and followers)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    related_to = forms.IntegerField(
        label=_("Original contribution number (for duplicate or merged)"),
        required=False,
        min_value=1,
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS.get(current, set())
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (value, label) for value, label in Contribution.Status.choices if value in allowed
        ]

    @property
    def has_choices(self) -> bool:
        return bool(cast(forms.ChoiceField, self.fields["status"]).choices)


class CommentForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown works. Mention someone with @handle."),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    official = forms.BooleanField(label=_("Official response of the firm"), required=False)


class CommentEditForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )


class EvaluationForm(ServiceErrorsMixin, forms.Form):
    """Scores 1–5 per criterion of one scorecard, and a note."""

    note = forms.CharField(
        label=_("Note for other evaluators"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, scorecard, **kwargs):
        kwargs.setdefault("prefix", f"sc{scorecard.pk}")
        super().__init__(*args, **kwargs)
        self.scorecard = scorecard
        for criterion in scorecard.criteria:
            self.fields[f"score_{criterion['key']}"] = forms.TypedChoiceField(
                label=criterion["label"],
                choices=[(str(n), str(n)) for n in range(1, 6)],
                coerce=int,
                widget=forms.RadioSelect,
                help_text=_("Weight %(w)s") % {"w": criterion["weight"]},
            )

    @property
    def score_fields(self) -> list:
        return [self[f"score_{c['key']}"] for c in self.scorecard.criteria]

    def scores(self) -> dict:
        return {
            c["key"]: self.cleaned_data.get(f"score_{c['key']}") for c in self.scorecard.criteria
        }


def wanted_state(data, current: bool) -> bool:
    """Support, follow, lock, helpful: the state a POST asks for. ``on=1``/``on=0`` say it
    explicitly (safe to repeat); without it the request toggles the current state."""
    value = data.get("on")
    if value in ("1", "0"):
        return value == "1"
    return not current


# --- Challenges ---------------------------------------------------------------------------------


class ChallengeForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    brief = forms.CharField(
        label=_("Problem statement"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown works."),
    )
    wanted = forms.CharField(label=_("What contributions we want"), required=False, max_length=500)
    toolkits = forms.TypedMultipleChoiceField(
        label=_("Toolkits members use"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_("In your time zone (%(tz)s)."),
        validators=[displayable_date],
    )
    phase = forms.ChoiceField(label=_("Phase"), choices=Challenge.Phase.choices)

    def __init__(self, *args, toolkits=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.toolkit_objects = {t.pk: t for t in toolkits}
        self.fields["toolkits"].choices = [(t.pk, str(t)) for t in toolkits]
        self.fields["deadline"].help_text = self.fields["deadline"].help_text % {
            "tz": timezone.get_current_timezone_name()
        }

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["toolkits"] = [self.toolkit_objects[pk] for pk in data["toolkits"]]
        return data


class PhaseForm(ServiceErrorsMixin, forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=Challenge.Phase.choices)


# --- Toolkits and scorecards --------------------------------------------------------------------


class ToolkitFieldRowForm(forms.Form):
    """One toolkit field, as a row of plain inputs (no JavaScript needed); a blank label
    drops the row."""

    key = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)
    label = forms.CharField(label=_("Question"), required=False, max_length=120)
    type = forms.ChoiceField(label=_("Type"), choices=ROW_TYPES, initial=FieldType.SHORT_TEXT)
    required = forms.BooleanField(label=_("Required"), required=False)
    help = forms.CharField(label=_("Help text"), required=False, max_length=300)
    choices = forms.CharField(label=_("Choices (comma-separated)"), required=False, max_length=2000)

    def definition(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("label", "").strip():
            return None
        item = {
            "label": data["label"],
            "type": data["type"],
            "required": data.get("required", False),
            "help": data.get("help", ""),
            "choices": [c.strip() for c in data.get("choices", "").split(",") if c.strip()],
        }
        if data.get("key"):
            item["key"] = data["key"]
        return item


ToolkitFieldFormSet = forms.formset_factory(ToolkitFieldRowForm, extra=3, max_num=30)


def field_rows_initial(definitions: list[dict]) -> list[dict]:
    return [
        {
            "key": d["key"],
            "label": d["label"],
            "type": d["type"],
            "required": d.get("required", False),
            "help": d.get("help", ""),
            "choices": ", ".join(d.get("choices", [])),
        }
        for d in definitions
    ]


class ToolkitForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind of contribution"), choices=Kind.choices)
    custom_kind = forms.CharField(
        label=_("Own kind name"),
        required=False,
        max_length=40,
        help_text=_("Used when kind is 'Other'."),
    )
    guidance = forms.CharField(
        label=_("Guidance for contributors"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ToolkitVersionForm(ToolkitForm):
    """A new version keeps the toolkit's kind."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]
        del self.fields["custom_kind"]


class CriterionRowForm(forms.Form):
    label = forms.CharField(label=_("Criterion"), required=False, max_length=120)
    weight = forms.IntegerField(label=_("Weight"), required=False, min_value=1, max_value=100)


CriterionFormSet = forms.formset_factory(CriterionRowForm, extra=4, max_num=20)


class ScorecardForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    challenge = forms.TypedChoiceField(
        label=_("Only for the challenge"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, challenges=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.challenge_objects = {c.pk: c for c in challenges}
        self.fields["challenge"].choices = [("", _("Every contribution"))] + [
            (c.pk, c.title) for c in challenges
        ]

    def challenge_object(self):
        return self.challenge_objects.get(self.cleaned_data.get("challenge"))
