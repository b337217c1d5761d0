"""One contribution: writing, reading, editing, submitting, supporting, and the staff's
status moves and evaluations (following, commenting and locking: ``dialogue``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocreate.caching import cached_page, form_state, fragment, generations
from cocreate.errors import Conflict, PermissionDenied, RateLimited, ValidationError
from cocreate.idempotency import form_tokens
from cocreate.idempotency.services import submit_once
from communities.selectors import community_scopes

from .. import selectors, services
from ..access import access_challenge, access_contribution
from ..forms import (
    CommentForm,
    ContributionForm,
    EvaluationForm,
    StatusForm,
)
from ..limits import check_post_rate
from .access import allowed, knowledge_community, require, require_participation
from .responses import back, error_messages, nav


def published_message(item) -> str:
    """What the author reads after submitting: published, or waiting for a moderator."""
    if item.is_pending:
        return _("Thank you! A moderator will review your contribution before others can see it.")
    return _("Thank you! Your contribution is published.")


def too_many(response, exc: RateLimited):
    """A page refused by a rate limit: 429 with Retry-After (the form keeps what was typed)."""
    response.status_code = 429
    response["Retry-After"] = str(exc.retry_after)
    return response


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Writing ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def contribute(request, slug):
    """Choose a toolkit, then answer its current version's fields; save a draft or submit."""
    community = knowledge_community(request, slug)
    require_participation(request, community)
    user = request.user
    challenge = None
    challenge_id = _int(request.GET.get("challenge"))
    if challenge_id:
        challenge = access_challenge(user, challenge_id, community=community)
    context = nav(request, community, "contribute")
    context["challenge"] = challenge
    toolkit_id = _int(request.GET.get("toolkit"))
    if toolkit_id is None:
        toolkits = selectors.toolkits_for(user=user, community=community)
        if challenge is not None and challenge.toolkits.exists():
            toolkits = toolkits.filter(challenges=challenge)
        context["toolkits"] = list(toolkits)
        return render(request, "knowledge/choose_toolkit.html", context)
    toolkit = selectors.toolkit_get(user=user, community=community, toolkit_id=toolkit_id)
    definitions = toolkit.current_version.fields
    form = ContributionForm(request.POST or None, definitions=definitions)
    limited = None
    if request.method == "POST" and form.is_valid():
        as_draft = request.POST.get("action") == "draft"

        def create():
            if not as_draft:  # drafts are private: only publishing is limited
                check_post_rate(request, community, body=form.cleaned_data["body"])
            return services.contribution_create(
                author=user,
                community=community,
                toolkit=toolkit,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                fields=form.answers(),
                tags=form.cleaned_data["tags"],
                challenge=challenge,
                submit=not as_draft,
            )

        try:
            # A double click or a retried POST with the same one-time token creates one.
            outcome = submit_once(
                user=user,
                token=form_tokens.posted(request),
                create=create,
                url_of=lambda contribution: contribution.get_absolute_url(),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        except RateLimited as exc:
            form.add_error(None, exc.message)
            limited = exc
        else:
            created = outcome.created
            if created is None:
                messages.info(request, _("This was already sent; nothing was posted twice."))
                return redirect(outcome.url or reverse("knowledge:feed", args=[community.slug]))
            messages.success(
                request,
                _("Your draft is saved. Only you can see it.")
                if as_draft
                else published_message(created),
            )
            return redirect(created)
    context.update({"toolkit": toolkit, "version": toolkit.current_version, "form": form})
    response = render(request, "knowledge/contribute.html", context)
    return too_many(response, limited) if limited else response


# --- Reading ------------------------------------------------------------------------------------


def _contribution_page(request, community, contribution, *, status_form=None, comment_form=None,
                       evaluation_forms=None, status=200):  # fmt: skip
    """The contribution page; bound forms are passed back in when a POST had errors."""
    user = request.user
    context = nav(request, community, "feed")
    state = selectors.contribution_state(user=user, contribution=contribution)
    thread = selectors.comment_thread(
        user=user, discussion=contribution.discussion, cursor=request.GET.get("cursor") or None
    )
    is_author = contribution.author_id == user.pk
    context.update(
        {
            "contribution": contribution,
            "state": state,
            "thread": thread,
            "is_author": is_author,
            "can_edit": allowed(user, "knowledge.edit_contribution", contribution),
            "can_mark_helpful": is_author or context["can_staff"],
            "comment_form": comment_form or CommentForm(),
            "comment_action": reverse("knowledge:comment", args=[community.slug, contribution.pk]),
            "comments_param": "cursor",
            "is_locked": contribution.discussion.is_locked,
        }
    )
    if context["can_staff"]:
        scorecards = list(
            selectors.scorecards_for(
                user=user, community=community, challenge=contribution.challenge
            )
        )
        evaluations = list(selectors.evaluations_for(user=user, contribution=contribution))
        mine = {e.scorecard_id: e for e in evaluations if e.evaluator_id == user.pk}
        forms_by_card = evaluation_forms or {}
        context.update(
            {
                "status_form": status_form or StatusForm(current=contribution.status),
                "evaluations": evaluations,
                "evaluation_forms": [
                    forms_by_card.get(card.pk)
                    or EvaluationForm(
                        scorecard=card,
                        initial=(
                            {
                                **{f"score_{k}": str(v) for k, v in mine[card.pk].scores.items()},
                                "note": mine[card.pk].note,
                            }
                            if card.pk in mine
                            else None
                        ),
                    )
                    for card in scorecards
                ],
            }
        )
    template = "knowledge/contribution.html"
    if request.htmx and request.GET.get("cursor"):
        template = "knowledge/_comment_page.html"
    return render(request, template, context, status=status)


# A comment in a thread (with its first replies and reply form) is a cached fragment keyed by
# everything it shows: most of a long page's time went into rendering the same comments again.
_COMMENT = (
    "pk",
    "removed",
    "is_official",
    "is_helpful",
    "author.public_name",
    "author.handle",
    "created_at",
    "edited_at",
    "show_moderation",
    "is_hidden",
    "moderation_reason",
    "by_viewer",
    "body_html",
)
fragment(
    "thread_item",
    "knowledge/_thread_item.html",
    fields=(
        *(f"top.{name}" for name in _COMMENT),
        *(f"top.shown_replies.*.{name}" for name in _COMMENT),
        "top.moderation_state",
        "top.reply_count",
        "community.slug",
        "user.is_authenticated",
        "is_locked",
        "can_staff",
        "can_mark_helpful",
        "can_contribute",
        "comment_action",
    ),
)


# The empty comment form (Django renders each of its fields through templates); a form sent
# back with errors is rendered as it is.
fragment(
    "comment_form",
    "knowledge/_comment_form.html",
    fields=("comment_action", "community.slug", "heading", "can_staff"),
    state={"comment_form": form_state},
)


def _get(request, slug, pk, *, shared_read: bool = False):
    community = knowledge_community(request, slug)
    contribution = access_contribution(
        request.user, pk, community=community, shared_read=shared_read
    )
    return community, contribution


@login_required
@require_GET
# Served from the page cache while nothing of this contribution, of the community's setup
# (people, roles, challenges, moderation) and of the viewer's (support, follow, bell) changed;
# activity on other contributions leaves it cached. Thread pages are in the URL.
@cached_page(
    scopes=lambda request, slug, pk: [
        *community_scopes(slug, setup_only=True),
        generations.contribution(pk),
    ]
)
def contribution(request, slug, pk):
    community, item = _get(request, slug, pk, shared_read=True)
    return _contribution_page(request, community, item)


# --- The author's actions -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, slug, pk):
    community, item = _get(request, slug, pk)
    require(request, "knowledge.edit_contribution", item)
    tags = ", ".join(item.tags)
    form = ContributionForm(
        request.POST or None,
        definitions=item.toolkit_version.fields,
        answers=item.fields,
        initial={"title": item.title, "body": item.body, "tags": tags},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.contribution_edit(
                editor=request.user,
                contribution=item,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                fields=form.answers(),
                tags=form.cleaned_data["tags"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(item)
    context = nav(request, community, "feed")
    context.update(
        {
            "contribution": item,
            "form": form,
            "version": item.toolkit_version,
            "revisions": selectors.contribution_revisions(user=request.user, contribution=item),
        }
    )
    return render(request, "knowledge/edit.html", context)


@login_required
@require_POST
def submit(request, slug, pk):
    community, item = _get(request, slug, pk)
    require_participation(request, community)
    require(request, "knowledge.edit_contribution", item)
    try:
        if item.is_draft:
            check_post_rate(request, community, body=item.body)
        submitted = services.contribution_submit(author=request.user, contribution=item)
    except ValidationError as exc:
        messages.error(request, _("Answer the required questions before you submit."))
        error_messages(request, exc)
        return redirect("knowledge:edit", slug=community.slug, pk=item.pk)
    except RateLimited as exc:
        messages.error(request, exc.message)
        return too_many(_contribution_page(request, community, item), exc)
    except Conflict as exc:
        error_messages(request, exc)
    else:
        messages.success(request, published_message(submitted))
    return redirect(item)


# --- Members' actions ---------------------------------------------------------------------------


@login_required
@require_POST
def support(request, slug, pk):
    community, item = _get(request, slug, pk)
    require_participation(request, community)
    wanted = request.POST.get("on", "1") != "0"
    try:
        if wanted:
            services.support_add(user=request.user, contribution=item)
        else:
            services.support_remove(user=request.user, contribution=item)
    except (Conflict, PermissionDenied) as exc:  # a draft, a hidden post, one's own idea
        error_messages(request, exc)
        return back(request, item.get_absolute_url())
    if request.htmx:
        fresh = access_contribution(request.user, item.pk, community=community)
        return render(
            request,
            "knowledge/_support.html",
            {"contribution": fresh, "supported": wanted, "can_contribute": True},
        )
    return back(request, item.get_absolute_url())


# --- Staff actions ------------------------------------------------------------------------------


@login_required
@require_POST
def status(request, slug, pk):
    community, item = _get(request, slug, pk)
    require(request, "knowledge.staff", community)
    form = StatusForm(request.POST, current=item.status)
    from_board = bool(request.POST.get("next"))
    if form.is_valid():
        original = None
        related_id = form.cleaned_data.get("related_to")
        try:
            if related_id:
                try:
                    original = access_contribution(request.user, related_id, community=community)
                except Http404:
                    raise ValidationError(
                        {"related_to": _("There is no contribution with that number here.")}
                    ) from None
            services.contribution_set_status(
                actor=request.user,
                contribution=item,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                related_to=original,
            )
        except ValidationError as exc:
            if from_board:
                error_messages(request, exc)
                return back(request, item.get_absolute_url())
            form.add_service_error(exc)
        except Conflict as exc:
            error_messages(request, exc)
            return back(request, item.get_absolute_url())
        else:
            messages.success(request, _("Status changed. The contributor will hear about it."))
            return back(request, item.get_absolute_url())
    elif from_board:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return back(request, item.get_absolute_url())
    return _contribution_page(request, community, item, status_form=form)


@login_required
@require_POST
def evaluate(request, slug, pk):
    community, item = _get(request, slug, pk)
    require(request, "knowledge.staff", community)
    card = (
        selectors.scorecards_for(user=request.user, community=community, challenge=item.challenge)
        .filter(pk=_int(request.POST.get("scorecard")) or 0)
        .first()
    )
    if card is None:
        raise Http404
    form = EvaluationForm(request.POST, scorecard=card)
    if form.is_valid():
        try:
            services.evaluation_submit(
                evaluator=request.user,
                contribution=item,
                scorecard=card,
                scores=form.scores(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        except Conflict as exc:
            error_messages(request, exc)
            return redirect(item)
        else:
            messages.success(request, _("Your evaluation is saved."))
            return redirect(item.get_absolute_url() + "#evaluation")
    return _contribution_page(request, community, item, evaluation_forms={card.pk: form})
