"""Trust pages: a member's "Privacy & consent" (grant and withdraw in one click each, the
re-asks, the history) and "How my knowledge is used"; the managers' consent purposes; on a
contribution, the author's restrictions and, for staff, what it is usable for, its uses and the
form to record one. Each view parses input with a form and calls one service or selector; every
form works without JavaScript, and htmx swaps one purpose's row in place."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocreate.errors import Conflict, PermissionDenied, ValidationError
from cocreate.pagination import keyset_paginate
from cocreate.permissions import allowed, require
from communities.access import access_community
from knowledge.access import access_contribution, access_knowledge

from .. import selectors, services
from ..forms import PurposeForm, UseForm, VersionForm
from ..models import Channel, ConsentPurpose

NEWEST_FIRST = ("-recorded_at", "-id")


def _page(request, queryset, ordering):
    return keyset_paginate(
        queryset,
        ordering=ordering,
        cursor=request.GET.get("cursor") or None,
        page_size=settings.COMMUNITY_PAGE_SIZE,
    )


# --- A member's own consent -------------------------------------------------------------------


@login_required
@require_GET
def mine(request):
    context = {
        "groups": selectors.consent_overview(user=request.user),
        "awaiting": selectors.awaiting_answers(user=request.user),
        "history": selectors.consent_history(user=request.user)[:50],
    }
    return render(request, "trust/mine.html", context)


def _answer(request, purpose_id: int, *, grant: bool):
    purpose = get_object_or_404(
        ConsentPurpose.objects.select_related("current_version", "community"), pk=purpose_id
    )
    # Only purposes the person may answer are found at all: site documents, and the purposes
    # of communities they belong to (withdrawing: any they once granted).
    try:
        if grant:
            services.consent_grant(
                user=request.user,
                purpose=purpose,
                channel=Channel.SETTINGS,
                text_sha256=request.POST.get("sha256", ""),
            )
            messages.success(request, _("Consent given: %(t)s.") % {"t": purpose.title})
        else:
            if services.consent_withdraw(user=request.user, purpose=purpose) is None:
                raise Http404
            messages.success(request, _("Consent withdrawn: %(t)s.") % {"t": purpose.title})
    except PermissionDenied:
        raise Http404 from None  # another community's purpose: as if it did not exist
    except Conflict as exc:
        messages.error(request, exc.message)
    if request.htmx:
        return render(
            request,
            "trust/_answer.html",
            {"answer": _answer_row(request.user, purpose), "swap": True},
        )
    return redirect("trust:mine")


def _answer_row(user, purpose: ConsentPurpose):
    for group in selectors.consent_overview(user=user):
        for answer in group.answers:
            if answer.purpose.pk == purpose.pk:
                return answer
    raise Http404


@login_required
@require_POST
def grant(request, purpose_id: int):
    return _answer(request, purpose_id, grant=True)


@login_required
@require_POST
def withdraw(request, purpose_id: int):
    return _answer(request, purpose_id, grant=False)


@login_required
@require_GET
def my_uses(request):
    page = _page(request, selectors.uses_of_mine(user=request.user), NEWEST_FIRST)
    return render(request, "trust/my_uses.html", {"page": page})


# --- Managers: purposes -----------------------------------------------------------------------


def _managed(request, slug: str):
    community = access_community(request.user, slug).community
    require(request.user, "trust.manage_purposes", community)
    return community


@login_required
@require_http_methods(["GET", "POST"])
def purposes(request, slug):
    community = _managed(request, slug)
    form = PurposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            purpose = services.purpose_create(
                actor=request.user, community=community, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Purpose saved as a draft: publish it to ask members."))
            return redirect("trust:purpose", slug=community.slug, pk=purpose.pk)
    context = {
        "community": community,
        "purposes": selectors.community_purposes(viewer=request.user, community=community),
        "form": form,
    }
    return render(request, "trust/purposes.html", context)


def _purpose(community, pk: int) -> ConsentPurpose:
    return get_object_or_404(
        ConsentPurpose.objects.select_related("current_version"), pk=pk, community=community
    )


@login_required
@require_http_methods(["GET", "POST"])
def purpose(request, slug, pk):
    community = _managed(request, slug)
    item = _purpose(community, pk)
    versions = list(item.versions.order_by("-number"))
    draft = next((v for v in versions if v.published_at is None), None)
    base = draft or item.current_version
    initial = {"title": base.title, "summary": base.summary, "text": base.text} if base else {}
    form = VersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.purpose_draft_save(actor=request.user, purpose=item, **form.cleaned_data)
        except (ValidationError, Conflict) as exc:
            if isinstance(exc, Conflict):
                form.add_error(None, exc.message)
            else:
                form.add_service_error(exc)
        else:
            messages.success(request, _("Draft saved. Publish it to ask members again."))
            return redirect("trust:purpose", slug=community.slug, pk=item.pk)
    context = {
        "community": community,
        "purpose": item,
        "versions": versions,
        "draft": draft,
        "form": form,
    }
    return render(request, "trust/purpose.html", context)


@login_required
@require_POST
def publish(request, slug, pk):
    community = _managed(request, slug)
    item = _purpose(community, pk)
    try:
        version = services.purpose_publish(actor=request.user, purpose=item)
    except (ValidationError, Conflict) as exc:
        messages.error(
            request, exc.message if isinstance(exc, Conflict) else " ".join(exc.messages)
        )
    else:
        messages.success(request, _("Version %(n)d is published.") % {"n": version.number})
    return redirect("trust:purpose", slug=community.slug, pk=item.pk)


@login_required
@require_GET
def community_uses(request, slug):
    community = access_community(request.user, slug).community
    require(request.user, "trust.view_usage", community)
    page = _page(
        request, selectors.community_uses(viewer=request.user, community=community), NEWEST_FIRST
    )
    refusals = selectors.community_refusals(viewer=request.user, community=community)[:20]
    return render(
        request,
        "trust/community_uses.html",
        {"community": community, "page": page, "refusals": refusals},
    )


@login_required
@require_GET
def usable(request, slug):
    """What the community's knowledge may be used for: pick a purpose, see the contributions
    usable for it now (consented by their authors, not restricted)."""
    community = access_community(request.user, slug).community
    require(request.user, "trust.view_usage", community)
    purposes = list(selectors.live_purposes(community=community))
    chosen = next((p for p in purposes if str(p.pk) == request.GET.get("purpose")), None)
    page = None
    if chosen is not None:
        page = keyset_paginate(
            selectors.usable_contributions(
                viewer=request.user, community=community, purpose=chosen
            ),
            ordering=("-submitted_at", "-id"),
            cursor=request.GET.get("cursor") or None,
            page_size=settings.COMMUNITY_PAGE_SIZE,
        )
    context = {"community": community, "purposes": purposes, "chosen": chosen, "page": page}
    return render(request, "trust/usable.html", context)


# --- On a contribution ------------------------------------------------------------------------


def _contribution(request, slug: str, pk: int):
    community = access_knowledge(request.user, slug).community
    item = access_contribution(request.user, pk, community=community)
    is_author = item.author_id == request.user.pk
    is_staff = allowed(request.user, "trust.view_usage", community)
    if not (is_author or is_staff):
        raise Http404  # nothing here for anyone else
    return community, item, is_author, is_staff


def _contribution_page(request, community, item, is_author, is_staff, use_form=None):
    can_record = allowed(request.user, "trust.record_use", community)
    context = {
        "community": community,
        "contribution": item,
        "is_author": is_author,
        "is_staff": is_staff,
        "can_record": can_record,
        "purpose_uses": (
            selectors.contribution_purposes(viewer=request.user, contribution=item)
            if is_staff
            else selectors.my_restrictions(user=request.user, contribution=item)
        ),
        "uses": selectors.uses_of_contribution(viewer=request.user, contribution=item)[:50],
        "use_form": use_form
        or (UseForm(purposes=selectors.live_purposes(community=community)) if can_record else None),
    }
    return render(request, "trust/contribution.html", context, status=200)


@login_required
@require_GET
def contribution(request, slug, pk):
    community, item, is_author, is_staff = _contribution(request, slug, pk)
    return _contribution_page(request, community, item, is_author, is_staff)


@login_required
@require_POST
def restrict(request, slug, pk):
    community, item, is_author, _staff = _contribution(request, slug, pk)
    if not is_author:
        raise PermissionDenied(_("Only the author of a contribution can restrict how it is used."))
    found = selectors.live_purposes(community=community).filter(pk=request.POST.get("purpose"))
    target = found.first()
    if target is None:
        messages.error(request, _("Choose one of the community's purposes."))
    elif request.POST.get("on") == "1":
        services.restriction_set(user=request.user, contribution=item, purpose=target)
        messages.success(
            request, _("This contribution will not be used for: %(t)s.") % {"t": target.title}
        )
    else:
        services.restriction_clear(user=request.user, contribution=item, purpose=target)
        messages.success(request, _("Restriction lifted: %(t)s.") % {"t": target.title})
    return redirect("trust:contribution", slug=community.slug, pk=item.pk)


@login_required
@require_POST
def record_use(request, slug, pk):
    community, item, is_author, is_staff = _contribution(request, slug, pk)
    require(request.user, "trust.record_use", community)
    form = UseForm(request.POST, purposes=selectors.live_purposes(community=community))
    if form.is_valid():
        try:
            services.usage_record(
                actor=request.user,
                contribution=item,
                purpose=form.cleaned_data["purpose"],
                what=form.cleaned_data["what"],
                where=form.cleaned_data["where"],
            )
        except services.UsageRefused as exc:
            form.add_error("purpose", exc.message)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The use is recorded; the author is told."))
            return redirect("trust:contribution", slug=community.slug, pk=item.pk)
    return _contribution_page(request, community, item, is_author, is_staff, use_form=form)
