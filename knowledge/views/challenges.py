"""Challenges: the list, one challenge with its feed and dialogue, and the managers' pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocreate.errors import ValidationError

from .. import selectors, services
from ..access import access_challenge
from ..forms import ChallengeForm, CommentForm, PhaseForm
from ..models import Challenge
from .access import knowledge_community, require
from .dialogue import follow_discussion, lock_discussion, post_comment
from .responses import nav, page

NEWEST_FIRST = ("-created_at", "-id")
Phase = Challenge.Phase


@login_required
@require_GET
def challenges(request, slug):
    community = knowledge_community(request, slug)
    context = nav(request, community, "challenges")
    context["page"] = page(
        request, selectors.challenges_for(user=request.user, community=community), NEWEST_FIRST
    )
    return render(request, "knowledge/challenges.html", context)


def _challenge_page(request, community, found, *, comment_form=None):
    user = request.user
    context = nav(request, community, "challenges")
    context.update(
        {
            "challenge": found,
            "toolkits": list(
                selectors.toolkits_for(user=user, community=community).filter(challenges=found)
            ),
            "page": page(
                request,
                selectors.contribution_feed(user=user, community=community, challenge=found),
                selectors.FEED_SORTS["new"],
            ),
            "thread": selectors.comment_thread(
                user=user, discussion=found.discussion, cursor=request.GET.get("comments") or None
            ),
            "following": selectors.is_following(user=user, discussion=found.discussion),
            "comment_form": comment_form or CommentForm(),
            "open_for_contributions": found.accepts_contributions(),
            "comment_action": reverse(
                "knowledge:challenge_comment", args=[community.slug, found.pk]
            ),
            "comments_param": "comments",
            "is_locked": found.discussion.is_locked or found.phase in (Phase.CLOSED, Phase.DRAFT),
            "can_mark_helpful": context["can_staff"],
        }
    )
    return render(request, "knowledge/challenge.html", context)


def _get(request, slug, pk):
    community = knowledge_community(request, slug)
    return community, access_challenge(request.user, pk, community=community)


@login_required
@require_GET
def challenge(request, slug, pk):
    community, found = _get(request, slug, pk)
    return _challenge_page(request, community, found)


@login_required
@require_POST
def challenge_comment(request, slug, pk):
    _community, found = _get(request, slug, pk)
    return post_comment(request, found, owner_page=_challenge_page)


@login_required
@require_POST
def challenge_follow(request, slug, pk):
    _community, found = _get(request, slug, pk)
    following = follow_discussion(request, found)
    messages.success(
        request,
        _("You follow this challenge.") if following else _("You no longer follow it."),
    )
    return redirect(found)


@login_required
@require_POST
def challenge_lock(request, slug, pk):
    _community, found = _get(request, slug, pk)
    return lock_discussion(request, found)


@login_required
@require_http_methods(["GET", "POST"])
def challenge_new(request, slug):
    community = knowledge_community(request, slug)
    require(request, "knowledge.manage", community)
    toolkits = list(selectors.toolkits_for(user=request.user, community=community))
    form = ChallengeForm(request.POST or None, toolkits=toolkits)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.challenge_create(
                actor=request.user, community=community, **form.service_kwargs()
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The challenge is saved."))
            return redirect(created)
    context = nav(request, community, "challenges")
    context["form"] = form
    return render(request, "knowledge/challenge_new.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def challenge_edit(request, slug, pk):
    community, found = _get(request, slug, pk)
    require(request, "knowledge.manage", community)
    form = PhaseForm(request.POST or None, initial={"phase": found.phase})
    if request.method == "POST" and form.is_valid():
        try:
            services.challenge_set_phase(
                actor=request.user, challenge=found, phase=form.cleaned_data["phase"]
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The challenge's phase is changed."))
            return redirect(found)
    context = nav(request, community, "challenges")
    context.update({"challenge": found, "form": form})
    return render(request, "knowledge/challenge_edit.html", context)
