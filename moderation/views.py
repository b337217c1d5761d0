"""Moderation pages: flagging, the queue with bulk actions, actions on content and members,
the author's own moderation page with appeals, the appeals queue, the log with its CSV export,
settings and the public transparency page. Each view parses input with a form and calls one
service or selector; every form works without JavaScript."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocreate.errors import Conflict, ValidationError
from cocreate.idempotency import form_tokens
from cocreate.idempotency.services import submit_once
from cocreate.pagination import keyset_paginate
from cocreate.permissions import allowed, refusal
from communities.access import access_community, access_own_standing
from knowledge.access import access_comment, access_contribution

from . import export, selectors, services
from .forms import (
    AppealDecisionForm,
    AppealForm,
    BulkActionForm,
    ContentActionForm,
    FlagForm,
    LogFilterForm,
    MemberActionForm,
    PeriodForm,
    QueueFilterForm,
    SettingsForm,
)
from .models import Appeal
from .services import SETTINGS_FIELDS
from .trust import settings_for
from .wording import action_done

NEWEST_FIRST = ("-created_at", "-id")
OLDEST_FIRST = ("created_at", "id")


def _page(request, queryset, ordering):
    return keyset_paginate(
        queryset,
        ordering=ordering,
        cursor=request.GET.get("cursor") or None,
        page_size=settings.COMMUNITY_PAGE_SIZE,
    )


def _context(request, community, tab: str, **extra) -> dict:
    user = request.user
    context = {
        "community": community,
        "tab": tab,
        "can_moderate": allowed(user, "moderation.moderate", community),
        "can_view_log": allowed(user, "moderation.view_log", community),
        "can_configure": allowed(user, "moderation.configure", community),
    }
    context.update(extra)
    return context


def _error_messages(request, exc) -> None:
    messages.error(request, services.error_text(exc))


def _denied(request, community, message: str):
    return render(
        request,
        "moderation/denied.html",
        _context(request, community, "", message=message),
        status=403,
    )


# --- Flagging -------------------------------------------------------------------------------------


def _knowledge_community(request, slug):
    return access_community(request.user, slug, within="knowledge.view_knowledge").community


def _flag(request, community, *, target, target_url: str, lookup: dict, excerpt: str):
    user = request.user
    problem = None
    refused = refusal(user, "moderation.flag", community)
    if refused:
        return _denied(request, community, refused)
    if target.author_id == user.pk:
        problem = _("You cannot flag your own post.")
    elif selectors.has_flagged(user=user, **lookup):
        problem = _("You have already flagged this. The moderators will look at it.")
    form = FlagForm(request.POST or None)
    if request.method == "POST" and problem is None and form.is_valid():
        try:
            # A double click or a retried POST with the same one-time token flags once.
            outcome = submit_once(
                user=user,
                token=form_tokens.posted(request),
                create=lambda: services.flag_create(reporter=user, **form.cleaned_data, **lookup),
                url_of=lambda _flag: target_url,
            )
        except PermissionDenied as exc:
            return _denied(request, community, str(exc))
        except Conflict as exc:
            messages.info(request, exc.message)
            return redirect(target_url)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            if outcome.created is None:
                messages.info(request, _("This was already sent; nothing was posted twice."))
                return redirect(target_url)
            messages.success(
                request,
                _(
                    "Thank you. A moderator will look at it, and you will be told the outcome. "
                    "Nobody else learns that you reported it."
                ),
            )
            return redirect(target_url)
    if request.method == "POST" and problem is not None:
        messages.info(request, problem)
        return redirect(target_url)
    return render(
        request,
        "moderation/flag.html",
        _context(
            request,
            community,
            "",
            form=form,
            problem=problem,
            target_url=target_url,
            excerpt=excerpt,
            is_comment="comment" in lookup,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def flag_contribution(request, slug, pk):
    community = _knowledge_community(request, slug)
    contribution = access_contribution(request.user, pk, community=community)
    if contribution.is_draft:
        raise Http404
    return _flag(
        request,
        community,
        target=contribution,
        target_url=reverse("knowledge:contribution", args=[community.slug, contribution.pk]),
        lookup={"contribution": contribution},
        excerpt=contribution.title,
    )


@login_required
@require_http_methods(["GET", "POST"])
def flag_comment(request, slug, pk):
    community = _knowledge_community(request, slug)
    comment = access_comment(request.user, pk, community=community)
    text = " ".join(comment.body.split())
    return _flag(
        request,
        community,
        target=comment,
        target_url=comment.get_absolute_url(),
        lookup={"comment": comment},
        excerpt=text if len(text) <= 200 else text[:199] + "…",
    )


# --- The queue ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def queue(request, slug):
    community = access_community(request.user, slug, need="moderation.moderate").community
    if request.method == "POST":
        form = BulkActionForm(request.POST)
        if form.is_valid():
            try:
                outcomes = services.moderation_bulk_act(
                    actor=request.user,
                    community=community,
                    kind=form.cleaned_data["action"],
                    reason=form.cleaned_data["reason"],
                    items=form.items,
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                done = sum(1 for o in outcomes if o.ok)
                if done:
                    messages.success(
                        request,
                        _("%(n)s of %(total)s items done; each action is in the log.")
                        % {"n": done, "total": len(outcomes)},
                    )
                for outcome in outcomes:
                    if not outcome.ok:
                        label = (
                            _("Contribution #%(id)s")
                            if outcome.type == "contribution"
                            else _("Comment #%(id)s")
                        ) % {"id": outcome.id}
                        messages.error(request, f"{label}: {outcome.detail}")
                return redirect(request.get_full_path())
    else:
        form = BulkActionForm()
    filter_form = QueueFilterForm(request.GET)
    page = selectors.moderation_queue(
        user=request.user,
        community=community,
        cursor=request.GET.get("cursor") or None,
        page_size=settings.COMMUNITY_PAGE_SIZE,
        **filter_form.filters(),
    )
    return render(
        request,
        "moderation/queue.html",
        _context(request, community, "queue", page=page, form=form, filter_form=filter_form),
        status=400 if request.method == "POST" else 200,
    )


# --- Acting on one post ---------------------------------------------------------------------------


def _content(request, community, *, target, lookup: dict, target_url: str, is_comment: bool):
    form = ContentActionForm(request.POST or None, comment=is_comment)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.moderation_act(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                **lookup,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        except (Conflict, PermissionDenied) as exc:
            form.add_error(None, services.error_text(exc))
        else:
            messages.success(request, action_done(action))
            return redirect(request.path)
    standing = selectors.author_standings(community=community, user_ids={target.author_id})
    return render(
        request,
        "moderation/content.html",
        _context(
            request,
            community,
            "queue",
            target=target,
            is_comment=is_comment,
            target_url=target_url,
            flags=selectors.flags_on(**lookup),
            history=selectors.actions_on(**lookup),
            standing=standing[target.author_id],
            form=form,
        ),
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def contribution(request, slug, pk):
    community = access_community(request.user, slug, need="moderation.moderate").community
    item = selectors.contribution_for_moderation(
        user=request.user, community=community, contribution_id=pk
    )
    return _content(
        request,
        community,
        target=item,
        lookup={"contribution": item},
        target_url=reverse("knowledge:contribution", args=[community.slug, item.pk]),
        is_comment=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment(request, slug, pk):
    community = access_community(request.user, slug, need="moderation.moderate").community
    item = selectors.comment_for_moderation(user=request.user, community=community, comment_id=pk)
    return _content(
        request,
        community,
        target=item,
        lookup={"comment": item},
        target_url=item.get_absolute_url(),
        is_comment=True,
    )


# --- Acting on a member ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def member(request, slug, user_id):
    community = access_community(request.user, slug, need="moderation.moderate").community
    membership = selectors.member_for_moderation(
        user=request.user, community=community, user_id=user_id
    )
    form = MemberActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.moderation_act(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                member=membership.user,
                community=community,
                duration=form.cleaned_duration(),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        except (Conflict, PermissionDenied) as exc:
            form.add_error(None, services.error_text(exc))
        else:
            messages.success(request, action_done(action, member_name=membership.user.public_name))
            return redirect(request.path)
    standing = selectors.author_standings(community=community, user_ids={membership.user_id})
    history = selectors.member_history(community=community, member=membership.user)
    return render(
        request,
        "moderation/member.html",
        _context(
            request,
            community,
            "queue",
            membership=membership,
            standing=standing[membership.user_id],
            page=_page(request, history, NEWEST_FIRST),
            form=form,
            now=timezone.now(),
        ),
        status=400 if request.method == "POST" else 200,
    )


# --- The author's side ----------------------------------------------------------------------------


@login_required
@require_GET
def mine(request, slug):
    community = access_own_standing(request.user, slug).community
    actions = selectors.my_actions(user=request.user, community=community)
    flags = list(
        selectors.my_flags(user=request.user, community=community).order_by(*NEWEST_FIRST)[:50]
    )
    page = _page(request, actions, NEWEST_FIRST)
    for action in page.items:
        action.appealable = action.kind in services.APPEALABLE
    return render(
        request,
        "moderation/mine.html",
        _context(request, community, "mine", page=page, flags=flags),
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal(request, slug, pk):
    community = access_own_standing(request.user, slug).community
    action = selectors.my_action_get(user=request.user, community=community, action_id=pk)
    form = AppealForm(request.POST or None)
    problem = None
    if hasattr(action, "appeal"):
        problem = _("You have already appealed this action.")
    elif action.kind not in services.APPEALABLE:
        problem = _("This action cannot be appealed.")
    if request.method == "POST" and problem is None and form.is_valid():
        try:
            services.appeal_create(
                appellant=request.user, action=action, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        except Conflict as exc:
            messages.info(request, exc.message)
            return redirect("moderation:mine", slug=community.slug)
        else:
            messages.success(
                request, _("Your appeal was sent. A different moderator will decide on it.")
            )
            return redirect("moderation:mine", slug=community.slug)
    elif request.method == "POST" and problem is not None:
        messages.info(request, problem)
        return redirect("moderation:mine", slug=community.slug)
    return render(
        request,
        "moderation/appeal.html",
        _context(request, community, "mine", action=action, form=form, problem=problem),
    )


# --- Appeals --------------------------------------------------------------------------------------


@login_required
@require_GET
def appeals(request, slug):
    community = access_community(request.user, slug, need="moderation.moderate").community
    status = request.GET.get("status") or Appeal.Status.OPEN
    if status not in (*Appeal.Status.values, "all"):
        status = Appeal.Status.OPEN
    queryset = selectors.appeals(user=request.user, community=community, status=status)
    return render(
        request,
        "moderation/appeals.html",
        _context(
            request,
            community,
            "appeals",
            page=_page(request, queryset, OLDEST_FIRST),
            status=status,
            statuses=[*Appeal.Status.choices, ("all", _("All"))],
            form=AppealDecisionForm(),
        ),
    )


@login_required
@require_POST
def appeal_decide(request, slug, pk):
    community = access_community(request.user, slug, need="moderation.moderate").community
    appeal = selectors.appeal_get(user=request.user, community=community, appeal_id=pk)
    form = AppealDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            services.appeal_decide(
                actor=request.user,
                appeal=appeal,
                overturn=form.cleaned_data["decision"] == "overturn",
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, Conflict, PermissionDenied) as exc:
            _error_messages(request, exc)
        else:
            messages.success(request, _("The appeal is decided; the member is told the reason."))
    return redirect("moderation:appeals", slug=community.slug)


# --- The log --------------------------------------------------------------------------------------


def _log_filters(request, community):
    form = LogFilterForm(request.GET, actors=selectors.log_actors(community=community))
    return form, form.filters()


@login_required
@require_GET
def log(request, slug):
    community = access_community(request.user, slug, need="moderation.view_log").community
    form, filters = _log_filters(request, community)
    queryset = selectors.moderation_log(user=request.user, community=community, **filters)
    return render(
        request,
        "moderation/log.html",
        _context(request, community, "log", form=form, page=_page(request, queryset, NEWEST_FIRST)),
    )


@login_required
@require_GET
def log_csv(request, slug):
    community = access_community(request.user, slug, need="moderation.view_log").community
    _form, filters = _log_filters(request, community)
    queryset = selectors.moderation_log(user=request.user, community=community, **filters)
    response = StreamingHttpResponse(
        export.csv_lines(export.log_rows(queryset)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="moderation-log-{community.slug}-{stamp}.csv"'
    )
    return response


# --- Settings and transparency --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def moderation_settings(request, slug):
    community = access_community(request.user, slug, need="moderation.configure").community
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                services.settings_update(
                    actor=request.user, community=community, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("The moderation settings were saved."))
                return redirect("moderation:settings", slug=community.slug)
    else:
        conf = settings_for(community)
        form = SettingsForm(initial={f: getattr(conf, f) for f in SETTINGS_FIELDS})
    return render(
        request,
        "moderation/settings.html",
        _context(request, community, "settings", form=form),
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def transparency(request, slug):
    community = access_community(request.user, slug).community
    form = PeriodForm(request.GET)
    period = form.cleaned_data.get("period") if form.is_valid() else ""
    report = selectors.transparency(
        user=request.user, community=community, period=period or "month"
    )
    return render(
        request,
        "moderation/transparency.html",
        _context(request, community, "transparency", form=form, report=report),
    )
