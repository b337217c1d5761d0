"""HTML pages for communities and memberships: parse input with a form, call one service or
selector, render. Every form works without JavaScript; htmx only makes deciding feel instant."""

from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocreate.caching import cached_page, form_state, fragment, generations
from cocreate.errors import Conflict, PermissionDenied, ValidationError
from cocreate.links import link
from cocreate.pagination import keyset_paginate
from cocreate.permissions import allowed, require

from . import join_hooks, landing, selectors, services
from .access import access_community
from .forms import (
    CommunityCreateForm,
    CommunitySettingsForm,
    DecisionForm,
    DirectoryFilterForm,
    InvitationFilterForm,
    InvitationForm,
    JoinForm,
    MemberFilterForm,
    RoleForm,
)
from .models import Community, Membership

MEMBER_ORDER = ("created_at", "id")
REQUEST_ORDER = ("created_at", "id")
NEWEST_FIRST = ("-created_at", "-id")
# Conflicts on an invitation link that mean "this link is spent": HTTP 410 Gone.
GONE_CODES = {"used", "revoked", "expired"}


def _page(request, queryset, ordering):
    return keyset_paginate(
        queryset,
        ordering=ordering,
        cursor=request.GET.get("cursor") or None,
        page_size=settings.COMMUNITY_PAGE_SIZE,
    )


def _denied(request, community, message: str, status: int = 403):
    return render(
        request,
        "communities/denied.html",
        {"community": community, "message": message},
        status=status,
    )


# --- Directory, creation, my communities -------------------------------------------------------


@require_GET
# Served from the page cache while no community, firm or (for a member) membership changed.
@cached_page(scopes=[generations.directory()], params=DirectoryFilterForm.base_fields)
def directory(request):
    organizations = selectors.directory_organization_choices(user=request.user)
    form = DirectoryFilterForm(request.GET, organizations=organizations)
    filters = form.filters()
    sort = filters.pop("sort")
    # The hand-written SELECT the API directory pages too (held equal to the ORM's
    # ``directory_rows(community_directory(...))`` by tests/communities/test_directory_sql.py):
    # building and compiling that queryset cost a fresh directory page more than its query.
    page = _page(
        request,
        selectors.directory_page_rows(user=request.user, **filters),
        selectors.DIRECTORY_SORTS[sort],
    )
    context = {
        "form": form,
        "page": page,
        "cards": [_card_community(row) for row in page.items],
        "filtered": any(filters.values()),
        "can_create": allowed(request.user, "communities.create_any_community"),
    }
    return render(request, "communities/directory.html", context)


fragment(
    "directory_card",
    "communities/_directory_card.html",
    fields=(
        "c.get_absolute_url",
        "c.name",
        "c.tagline",
        "c.organization.name",
        "c.member_count",
        "c.join_policy",
        "c.is_private",
        "c.viewer_membership.status",
        "c.viewer_membership.role",
        "c.viewer_membership.get_role_display",
    ),
)
fragment(
    "directory_filters",
    "communities/_directory_filters.html",
    fields=("filtered",),
    state={"form": form_state},
)


class _Named(NamedTuple):
    name: str


@dataclass(frozen=True, slots=True)
class DirectoryCard:
    """What a directory card shows: exactly a directory row's values, read by the card's
    template as it would read a community (no model instances: a page holds twenty)."""

    slug: str
    name: str
    tagline: str
    member_count: int
    join_policy: str
    visibility: str
    organization: _Named
    viewer_membership: Membership | None

    def get_absolute_url(self) -> str:
        return link("communities:home", slug=self.slug)

    @property
    def is_private(self) -> bool:
        return self.visibility == Community.Visibility.PRIVATE


def _card_community(row: dict) -> DirectoryCard:
    """A directory row's card (a row of ``selectors.directory_page_rows``): a card shows
    exactly what its row says."""
    status = row["viewer_status"]
    return DirectoryCard(
        slug=row["slug"],
        name=row["name"],
        tagline=row["tagline"],
        member_count=row["member_count"],
        join_policy=row["join_policy"],
        visibility=row["visibility"],
        organization=_Named(row["organization__name"]),
        viewer_membership=(
            None if status is None else Membership(role=row["viewer_role"], status=status)
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    require(request.user, "communities.create_any_community")
    organizations = selectors.organizations_for_creator(user=request.user)
    form = CommunityCreateForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            community = services.community_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Your community is ready."))
            return redirect(community)
    return render(request, "communities/create.html", {"form": form})


@login_required
@require_GET
def mine(request):
    page = _page(request, selectors.my_memberships(user=request.user), NEWEST_FIRST)
    return render(request, "communities/mine.html", {"page": page})


# --- One community ------------------------------------------------------------------------------


@require_GET
# Served from the page cache while nothing in the community (or of the viewer's) changed.
@cached_page(scopes=lambda request, slug: selectors.community_scopes(slug))
def home(request, slug):
    community = access_community(request.user, slug).community
    user = request.user
    can_manage = allowed(user, "communities.manage_community", community)
    context = {
        "community": community,
        "membership": community.viewer_membership,
        "can_join": allowed(user, "communities.join_community", community),
        "can_view_members": allowed(user, "communities.view_members", community),
        "can_manage": can_manage,
        # What every app adds to the home for this viewer (communities.landing).
        "landing": landing.shown(user, community),
        "join_form": JoinForm(question=community.application_question),
        # Consent purposes to answer first: joining goes through the join page.
        "join_asks_consent": bool(join_hooks.questions(community)),
    }
    return render(request, "communities/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def join(request, slug):
    community = access_community(request.user, slug).community
    is_request = community.join_policy == Community.JoinPolicy.REQUEST
    # What the apps above ask of a newcomer (consent purposes, ``join_hooks``).
    questions = join_hooks.questions(community)
    context = {"community": community, "is_request": is_request}
    if request.method == "GET":
        may_join = allowed(request.user, "communities.join_community", community)
        if not (is_request or questions) or not may_join:
            return redirect(community)
        form = JoinForm(question=community.application_question, questions=questions)
        return render(request, "communities/join.html", {**context, "form": form})
    form = JoinForm(request.POST, question=community.application_question, questions=questions)
    if form.is_valid():
        try:
            membership = services.membership_join(
                user=request.user,
                community=community,
                answer=form.cleaned_data["answer"],
                consents=form.ticked() if questions else (),
            )
        except Conflict as exc:
            messages.info(request, exc.message)
            return redirect(community)
        except PermissionDenied as exc:
            return _denied(request, community, str(exc))
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            if membership.status == Membership.Status.ACTIVE:
                messages.success(request, _("Welcome! You are now a member."))
            else:
                messages.success(
                    request, _("Your request was sent. A manager will look at it soon.")
                )
            return redirect(community)
    return render(request, "communities/join.html", {**context, "form": form})


@login_required
@require_POST
def leave(request, slug):
    community = access_community(request.user, slug).community
    try:
        membership = services.membership_leave(user=request.user, community=community)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect(community)
    if membership.status == Membership.Status.LEFT and community.is_private:
        messages.success(request, _("You left %(name)s.") % {"name": community.name})
        return redirect("communities:mine")
    messages.success(request, _("You left %(name)s.") % {"name": community.name})
    return redirect(community)


@login_required
@require_GET
def members(request, slug):
    community = access_community(request.user, slug).community
    form = MemberFilterForm(request.GET)
    queryset = selectors.community_members(user=request.user, community=community, **form.filters())
    page = _page(request, queryset, MEMBER_ORDER)
    can_manage = allowed(request.user, "communities.manage_community", community)
    return render(
        request,
        "communities/members.html",
        {
            "community": community,
            "form": form,
            "page": page,
            "can_manage": can_manage,
            "can_moderate": allowed(request.user, "communities.moderate_community", community),
            "roles": Membership.Role.choices,
        },
    )


@login_required
@require_GET
def member(request, slug, person_id):
    """One person as the community's members see them: where an @mention of them leads."""
    community = access_community(request.user, slug).community
    membership = selectors.member_person(
        user=request.user, community=community, person_id=person_id
    )
    return render(
        request,
        "communities/member.html",
        {
            "community": community,
            "m": membership,
            "person": membership.user,
            "can_moderate": allowed(request.user, "communities.moderate_community", community),
        },
    )


# --- Manager pages --------------------------------------------------------------------------------


@login_required
@require_GET
def requests(request, slug):
    community = access_community(request.user, slug, need="communities.manage_community").community
    page = _page(
        request, selectors.join_requests(user=request.user, community=community), REQUEST_ORDER
    )
    return render(
        request,
        "communities/manage/requests.html",
        {"community": community, "page": page, "decision_form": DecisionForm()},
    )


@login_required
@require_POST
def request_decide(request, slug, pk):
    community = access_community(request.user, slug, need="communities.manage_community").community
    membership = selectors.join_request_get(
        user=request.user, community=community, membership_id=pk
    )
    form = DecisionForm(request.POST)
    error = None
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.join_request_decide(
                actor=request.user,
                membership=membership,
                approve=approve,
                message=form.cleaned_data["message"],
            )
        except Conflict as exc:
            error = exc.message
        else:
            name = membership.user.public_name
            if approve:
                done = _("%(name)s is now a member.") % {"name": name}
            else:
                done = _("You declined the request of %(name)s.") % {"name": name}
            if request.htmx:
                return render(
                    request,
                    "communities/manage/_request_decided.html",
                    {"membership": membership, "done": done, "approved": approve},
                )
            messages.success(request, done)
            return redirect("communities:requests", slug=community.slug)
    else:
        error = _("Choose approve or decline.")
    if request.htmx:
        return render(
            request,
            "communities/manage/_request_row.html",
            {
                "community": community,
                "membership": membership,
                "decision_form": form,
                "error": error,
            },
        )
    messages.error(request, error)
    return redirect("communities:requests", slug=community.slug)


@login_required
@require_POST
def member_role(request, slug, pk):
    community = access_community(request.user, slug, need="communities.manage_community").community
    membership = selectors.member_get(user=request.user, community=community, membership_id=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose member, moderator or manager."))
    else:
        try:
            membership = services.membership_change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {"name": membership.user.public_name, "role": membership.get_role_display()},
            )
    return redirect("communities:members", slug=community.slug)


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request, slug):
    community = access_community(request.user, slug, need="communities.manage_community").community
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                actor=request.user, community=community, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        except Conflict as exc:
            form.add_error("email", exc.message)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("communities:invitations", slug=community.slug)
    filter_form = InvitationFilterForm(request.GET)
    page = _page(
        request,
        selectors.invitations(user=request.user, community=community, **filter_form.filters()),
        NEWEST_FIRST,
    )
    return render(
        request,
        "communities/manage/invitations.html",
        {"community": community, "form": form, "filter_form": filter_form, "page": page},
    )


@login_required
@require_POST
def invitation_revoke(request, slug, pk):
    community = access_community(request.user, slug, need="communities.manage_community").community
    invitation = selectors.invitation_get(user=request.user, community=community, invitation_id=pk)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email}
        )
    return redirect("communities:invitations", slug=community.slug)


@login_required
@require_http_methods(["GET", "POST"])
def community_settings(request, slug):
    community = access_community(request.user, slug, need="communities.manage_community").community
    if request.method == "POST":
        form = CommunitySettingsForm(request.POST)
        if form.is_valid():
            try:
                community = services.community_update(
                    actor=request.user, community=community, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("The settings were saved."))
                return redirect("communities:settings", slug=community.slug)
    else:
        form = CommunitySettingsForm(initial=CommunitySettingsForm.initial_for(community))
    return render(
        request, "communities/manage/settings.html", {"community": community, "form": form}
    )


# --- Invitation links ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    try:
        invitation = services.invitation_check(token=token)
    except ValidationError as exc:
        return _invitation_problem(request, exc.messages[0], status=404)
    except Conflict as exc:
        return _invitation_problem(request, exc.message, status=410)
    questions = join_hooks.questions(invitation.community)
    ticked = request.POST.getlist("consents") if request.method == "POST" else []
    context = {
        "invitation": invitation,
        "community": invitation.community,
        "token": token,
        "questions": questions,
        "ticked": ticked,
    }
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            membership = services.invitation_accept(
                user=request.user, token=token, consents=ticked if questions else ()
            )
        except ValidationError as exc:
            context["consent_errors"] = exc.messages
            return render(request, "communities/invitation.html", context)
        except PermissionDenied as exc:
            context["error"] = str(exc)
            return render(request, "communities/invitation.html", context, status=403)
        except Conflict as exc:
            status = 410 if exc.code in GONE_CODES else 409
            return _invitation_problem(request, exc.message, status=status)
        messages.success(
            request,
            _("Welcome to %(name)s! You are now a member.") % {"name": membership.community.name},
        )
        return redirect(membership.community)
    if request.user.is_authenticated:
        context["wrong_address"] = invitation.email.lower() != request.user.email.lower()
    return render(request, "communities/invitation.html", context)


def _invitation_problem(request, message: str, *, status: int):
    return render(
        request, "communities/invitation_problem.html", {"message": message}, status=status
    )
