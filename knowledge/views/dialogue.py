"""Threaded dialogue: comments and replies in the discussions of contributions and
challenges, edits, helpful marks, locks, and the "more replies" fragment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocreate.errors import Conflict, PermissionDenied, RateLimited, ValidationError
from cocreate.idempotency import form_tokens
from cocreate.idempotency.services import submit_once

from .. import selectors, services
from ..access import access_comment
from ..forms import CommentEditForm, CommentForm, wanted_state
from ..limits import check_post_rate
from ..models import Contribution
from .access import knowledge_community, require, require_participation
from .contributions import _contribution_page, _get, too_many
from .responses import back, error_messages, nav, page

REPLIES_PAGE = 50


def post_comment(request, owner, *, owner_page):
    """Create a comment or reply in ``owner``'s discussion from the POSTed form; re-render the
    owner's page with the form's errors (429 with what was typed when a rate limit refuses
    it), or redirect to the new comment. A locked or closed discussion is a message.
    ``owner_page(request, community, owner, comment_form=form)`` renders the owner's page."""

    def render_page(form):
        return owner_page(request, owner.community, owner, comment_form=form)

    require_participation(request, owner.community)
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        parent_id = form.cleaned_data.get("parent")
        try:
            if parent_id:
                parent = access_comment(request.user, parent_id, community=owner.community)
                if parent.discussion_id != owner.discussion_id:
                    raise Http404

            def create():
                check_post_rate(
                    request, owner.community, body=form.cleaned_data["body"], is_reply=bool(parent)
                )
                return services.comment_create(
                    author=request.user,
                    body=form.cleaned_data["body"],
                    discussion=owner.discussion,
                    parent=parent,
                    official=form.cleaned_data["official"],
                )

            # A double click or a retried POST with the same one-time token posts once.
            outcome = submit_once(
                user=request.user,
                token=form_tokens.posted(request),
                create=create,
                url_of=lambda comment: comment.get_absolute_url(),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        except RateLimited as exc:
            form.add_error(None, exc.message)
            messages.error(request, exc.message)
            return too_many(render_page(form), exc)
        except Conflict as exc:
            error_messages(request, exc)
            return redirect(owner.get_absolute_url() + "#comments")
        else:
            created = outcome.created
            if created is None:
                messages.info(request, _("This was already sent; nothing was posted twice."))
                return redirect(outcome.url or owner.get_absolute_url() + "#comments")
            messages.success(
                request,
                _("Your comment will appear once a moderator has reviewed it.")
                if created.is_pending
                else _("Your comment is posted."),
            )
            return redirect(created.get_absolute_url())
    return render_page(form)


def follow_discussion(request, owner) -> bool:
    """Follow or unfollow ``owner``'s discussion as the POSTed form asks; the new state."""
    return services.follow_set(
        user=request.user,
        discussion=owner.discussion,
        following=wanted_state(request.POST, current=False),
    )


def lock_discussion(request, owner):
    """Lock or reopen ``owner``'s discussion from the POSTed form (staff), and go back to it."""
    require(request, "knowledge.staff", owner.community)
    discussion = owner.discussion
    locked = wanted_state(request.POST, current=discussion.is_locked)
    services.discussion_set_locked(actor=request.user, discussion=discussion, locked=locked)
    messages.success(
        request, _("The discussion is locked.") if locked else _("The discussion is open again.")
    )
    return redirect(owner)


@login_required
@require_POST
def comment(request, slug, pk):
    _community, item = _get(request, slug, pk)
    return post_comment(request, item, owner_page=_contribution_page)


@login_required
@require_POST
def follow(request, slug, pk):
    community, item = _get(request, slug, pk)
    following = follow_discussion(request, item)
    if request.htmx:
        return render(
            request,
            "knowledge/_follow.html",
            {
                "following": following,
                "action": reverse("knowledge:follow", args=[community.slug, item.pk]),
            },
        )
    messages.success(
        request,
        _("You follow this contribution.") if following else _("You no longer follow it."),
    )
    return back(request, item.get_absolute_url())


@login_required
@require_POST
def lock(request, slug, pk):
    _community, item = _get(request, slug, pk)
    return lock_discussion(request, item)


def _comment_in(request, slug, pk):
    """A comment the user may see, in the community at ``slug`` (404 elsewhere)."""
    community = knowledge_community(request, slug)
    found = access_comment(request.user, pk, community=community)
    return community, found, found.discussion.owner


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request, slug, pk):
    community, found, target = _comment_in(request, slug, pk)
    if found.author_id != request.user.pk:
        raise PermissionDenied
    if request.method == "POST":
        require_participation(request, community)
    form = CommentEditForm(request.POST or None, initial={"body": found.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(
                editor=request.user, comment=found, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        except Conflict as exc:
            error_messages(request, exc)
            return redirect(target.get_absolute_url() + "#comments")
        else:
            messages.success(request, _("Your comment is updated."))
            return redirect(found.get_absolute_url())
    context = nav(request, community, "feed")
    context.update({"comment": found, "target": target, "form": form})
    return render(request, "knowledge/comment_edit.html", context)


@login_required
@require_POST
def comment_helpful(request, slug, pk):
    _community, found, _owner = _comment_in(request, slug, pk)
    helpful = wanted_state(request.POST, current=found.is_helpful)
    services.comment_mark_helpful(actor=request.user, comment=found, helpful=helpful)
    return redirect(found.get_absolute_url())


@login_required
@require_GET
def replies(request, slug, pk):
    """All replies of a thread, a page at a time: an htmx fragment that replaces the thread's
    first replies, or a page of its own without JavaScript."""
    community, found, target = _comment_in(request, slug, pk)
    parent = (
        access_comment(request.user, found.parent_id, community=community)
        if found.parent_id
        else found
    )
    replies_page = page(
        request,
        selectors.comment_replies(user=request.user, parent=parent),
        ("created_at", "id"),
        REPLIES_PAGE,
    )
    selectors.present_comments(replies_page.items, user=request.user, community=community)
    context = nav(request, community, "feed")
    context.update(
        {
            "parent": parent,
            "target": target,
            "replies": replies_page,
            "can_mark_helpful": context["can_staff"]
            or (isinstance(target, Contribution) and target.author_id == request.user.pk),
            "is_locked": found.discussion.is_locked,
        }
    )
    template = "knowledge/_replies.html" if request.htmx else "knowledge/replies.html"
    return render(request, template, context)
