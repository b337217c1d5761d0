"""HTML pages for notifications: the inbox, opening one, preferences and mutes, one-click
unsubscribe, the impact page, and managers' announcements.

Every page but unsubscribe needs a signed-in member; a notification belongs to its recipient
alone (anyone else gets 404, as for a missing one). Unsubscribe links work without signing in:
the signed token is the authority, and its POST is CSRF-exempt because mail clients send the
RFC 8058 one-click POST (``List-Unsubscribe=One-Click``) without a session or a token.
"""

from datetime import timedelta
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocreate.errors import PermissionDenied, ValidationError
from cocreate.pagination import keyset_paginate
from cocreate.permissions import allowed
from cocreate.redirects import safe_next
from communities.access import access_community
from communities.models import Community
from communities.selectors import my_memberships
from knowledge import services as knowledge_services
from knowledge.models import Contribution

from . import selectors, services
from .forms import AnnouncementForm, MuteForm, PreferencesForm
from .mail import read_unsubscribe_token
from .topics import TOPICS

PAGE_SIZE = 25
IMPACT_WINDOWS = {"7": 7, "30": 30, "90": 90, "365": 365}


def _safe(request: HttpRequest, target: str | None, fallback: str) -> str:
    return target if target and safe_next(request, target) else fallback


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(_safe(request, request.POST.get("next"), reverse("notifications:list")))


# --- The inbox ----------------------------------------------------------------------------------


@login_required
@require_GET
def notification_list(request):
    """The member's notifications, newest first, grouped by day (in their time zone), a keyset
    page at a time. Constant queries per page: notifications with their events, the follows and
    the communities they link to, and the member's mutes."""
    user = request.user
    page = keyset_paginate(
        selectors.notifications_for(user=user).select_related("event"),
        ordering=("-created_at", "-id"),
        cursor=request.GET.get("cursor") or None,
        page_size=PAGE_SIZE,
    )
    items = page.items
    about = selectors.contribution_ids(items)
    following = selectors.followed_ids(user=user, contribution_ids=set(about.values()))
    community_ids = {n.community_id for n in items if n.community_id}
    communities = (
        {c.pk: c for c in Community.objects.filter(pk__in=community_ids).only("pk", "name", "slug")}
        if community_ids
        else {}
    )
    muted = selectors.muted_ids(user=user) if community_ids else set()
    for n in items:
        n.contribution_id = about.get(n.pk)
        n.is_following = n.contribution_id in following
        n.community = communities.get(n.community_id)
        n.community_muted = n.community_id in muted
    days = [
        (day, list(group))
        for day, group in groupby(items, key=lambda n: timezone.localdate(n.created_at))
    ]
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "days": days,
            "today": timezone.localdate(),
            "yesterday": timezone.localdate() - timedelta(days=1),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notification_open(request, pk: int):
    """Mark the notification read and go to what it is about (the inbox if it links nowhere)."""
    notification = selectors.notification_get(user=request.user, notification_id=pk)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    return redirect(_safe(request, notification.url, reverse("notifications:list")))


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one notification read without leaving the inbox."""
    notification = selectors.notification_get(user=request.user, notification_id=pk)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    return _back(request)


@login_required
@require_POST
def notification_read_all(request):
    changed = services.notification_mark_read(user=request.user)
    if changed:
        messages.success(request, _("All notifications are marked read."))
    return _back(request)


@login_required
@require_POST
def notification_follow(request, pk: int):
    """Follow or unfollow the contribution a notification is about, from the notification."""
    notification = selectors.notification_get(user=request.user, notification_id=pk)
    about = selectors.contribution_ids([notification]).get(notification.pk)
    contribution = (
        Contribution.objects.select_related("community", "discussion").filter(pk=about).first()
        if about
        else None
    )
    if contribution is None:
        raise Http404
    following = request.POST.get("following") in ("1", "true", "on")
    try:
        knowledge_services.follow_set(
            user=request.user, discussion=contribution.discussion, following=following
        )
    except PermissionDenied as exc:
        raise Http404 from exc  # no longer inside that community: as if it were gone
    messages.success(
        request,
        _("You follow “%(title)s”.") % {"title": contribution.title}
        if following
        else _("You no longer follow “%(title)s”.") % {"title": contribution.title},
    )
    return _back(request)


# --- Preferences and mutes ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """One row per topic with a channel select; the communities the member muted."""
    user = request.user
    form = PreferencesForm(request.POST or None, choices=selectors.preferences_for(user=user))
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_update(user=user, channels=form.channels())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    muted = selectors.muted_communities(user=user)
    muted_ids = {c.pk for c in muted}

    mutable = [
        m.community
        for m in my_memberships(user=user).filter(status="active")
        if m.community_id not in muted_ids
    ]
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "muted": muted, "mutable": mutable},
    )


@login_required
@require_POST
def mute(request):
    """Mute or unmute a community the member can see (invisible or missing: 404)."""
    form = MuteForm(request.POST)
    if not form.is_valid():
        raise Http404
    community = Community.objects.filter(pk=form.cleaned_data["community"]).first()
    if community is None or not allowed(request.user, "communities.view_community", community):
        raise Http404
    muted = services.community_mute_set(
        user=request.user, community_id=community.pk, muted=form.cleaned_data["muted"]
    )
    messages.success(
        request,
        _("%(name)s is muted: you will not hear from it.") % {"name": community.name}
        if muted
        else _("%(name)s is no longer muted.") % {"name": community.name},
    )
    return redirect(_safe(request, request.POST.get("next"), reverse("notifications:preferences")))


# --- Unsubscribe (no login) ---------------------------------------------------------------------


def _unsubscribe_label(topic: str) -> str:
    if topic in TOPICS:
        return str(TOPICS[topic].label)
    if topic == "digest_daily":
        return _("Daily digest")
    if topic == "digest_weekly":
        return _("Weekly digest")
    return ""


@csrf_exempt  # RFC 8058: mail clients POST without a session; the signed token authorizes
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET asks to confirm (mail scanners follow links; a GET never changes anything). POST,
    from the page or a mail client's one-click (``List-Unsubscribe=One-Click``), applies it."""
    found = read_unsubscribe_token(token)
    if found is None or not _unsubscribe_label(found[1]):
        raise Http404
    user_id, topic = found
    context = {"label": _unsubscribe_label(topic), "topic": topic, "is_digest": topic not in TOPICS}
    if request.method == "GET":
        return render(request, "notifications/unsubscribe.html", context)
    changed = services.unsubscribe_apply(user_id=user_id, topic=topic)
    if request.POST.get("List-Unsubscribe") == "One-Click":
        return HttpResponse(_("You are unsubscribed."), content_type="text/plain; charset=utf-8")
    return render(request, "notifications/unsubscribe_done.html", {**context, "changed": changed})


# --- Impact -------------------------------------------------------------------------------------


@login_required
@require_GET
def impact(request):
    """What the member's knowledge did in the last 7, 30, 90 or 365 days, and in total."""
    days = IMPACT_WINDOWS.get(request.GET.get("days", ""), 30)
    now = timezone.now()
    report = selectors.impact_report(
        user=request.user,
        since=now - timedelta(days=days),
        until=now,
        with_totals=True,
        with_shared=True,
    )
    return render(
        request,
        "notifications/impact.html",
        {
            "report": report,
            "days": days,
            "windows": list(IMPACT_WINDOWS.values()),
            "impact_channel": selectors.channel_for(user=request.user, topic="impact"),
        },
    )


# --- Announcements ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def announce(request, slug: str):
    """Managers write to every member of the community (delivered in batches by the workers)."""
    community = access_community(request.user, slug, need="notifications.announce").community
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            announcement = services.announcement_create(
                actor=request.user,
                community=community,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Your announcement is on its way to every member."))
            return redirect("notifications:announcement", slug=community.slug, pk=announcement.pk)
    return render(request, "notifications/announce.html", {"community": community, "form": form})


@login_required
@require_GET
def announcement(request, slug: str, pk: int):
    """One announcement, for the community's members and staff."""
    community = access_community(request.user, slug).community
    item = selectors.announcement_get(user=request.user, community=community, announcement_id=pk)
    return render(
        request, "notifications/announcement.html", {"community": community, "announcement": item}
    )
