"""Forms that parse the input of the community pages; the services decide and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cocreate.form_errors import ServiceErrorsMixin

from .models import Community, Membership, Organization
from .selectors import DIRECTORY_SORTS

SORT_LABELS = {"name": _("Name"), "popular": _("Most members"), "new": _("Newest")}


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name or topic"), "autocomplete": "off"}
        ),
    )
    join_policy = forms.ChoiceField(
        label=_("How to join"),
        required=False,
        choices=[
            ("", _("Any")),
            (Community.JoinPolicy.OPEN, _("Open")),
            (Community.JoinPolicy.REQUEST, _("By request")),
            (Community.JoinPolicy.INVITATION, _("By invitation")),
        ],
    )
    organization = forms.ChoiceField(label=_("Organisation"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(key, SORT_LABELS.get(key, key)) for key in DIRECTORY_SORTS],
    )

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", _("All"))] + [
            (slug, name) for slug, name in organizations
        ]

    def filters(self) -> dict:
        """The valid filters; an invalid value is ignored rather than failing the page."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "query": data.get("q", ""),
            "join_policy": data.get("join_policy", ""),
            "organization": data.get("organization", ""),
            "sort": data.get("sort") or "name",
        }


class CommunityCreateForm(ServiceErrorsMixin, forms.Form):
    organization: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None, empty_label=None
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=60,
        required=False,
        help_text=_("Letters, digits and hyphens; leave empty to derive it from the name."),
    )
    tagline = forms.CharField(label=_("Tagline"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Community.Visibility.choices)
    join_policy = forms.ChoiceField(label=_("Who can join"), choices=Community.JoinPolicy.choices)
    application_question = forms.CharField(
        label=_("Application question"),
        max_length=500,
        required=False,
        help_text=_("Asked of people who request to join (join policy 'by request')."),
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class CommunitySettingsForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    tagline = forms.CharField(label=_("Tagline"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Community.Visibility.choices)
    join_policy = forms.ChoiceField(label=_("Who can join"), choices=Community.JoinPolicy.choices)
    application_question = forms.CharField(
        label=_("Application question"),
        max_length=500,
        required=False,
        help_text=_("Asked of people who request to join (join policy 'by request')."),
    )

    @classmethod
    def initial_for(cls, community: Community) -> dict:
        return {name: getattr(community, name) for name in cls.base_fields}


class JoinForm(ServiceErrorsMixin, forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    # The community's consent purposes (``communities.join_hooks``), never pre-ticked; the
    # join service refuses a join that leaves a required one out.
    consents = forms.MultipleChoiceField(
        label=_("Consent"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, question: str = "", questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        if question:
            self.fields["answer"].label = question
            self.fields["answer"].widget.attrs["required"] = True
        self.questions = list(questions)
        consents = self.fields["consents"]
        assert isinstance(consents, forms.MultipleChoiceField)
        consents.choices = [(q.key, q.title) for q in self.questions]
        if not self.questions:
            del self.fields["consents"]

    def ticked(self) -> list[str]:
        return list(self.cleaned_data.get("consents") or [])


class MemberFilterForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *Membership.Role.choices]
    )
    q = forms.CharField(label=_("Name"), required=False, max_length=100)

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {"role": data.get("role", ""), "query": data.get("q", "")}


class RoleForm(ServiceErrorsMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        error_messages={"required": _("Choose approve or decline.")},
    )
    message = forms.CharField(
        label=_("Message to the applicant (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


INVITATION_STATES = [
    ("", _("All")),
    ("open", _("Open")),
    ("accepted", _("Accepted")),
    ("revoked", _("Revoked")),
    ("expired", _("Expired")),
]


class InvitationFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=INVITATION_STATES)

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {"state": data.get("state", "")}


class InvitationForm(ServiceErrorsMixin, forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )
    message = forms.CharField(
        label=_("Personal message (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
