"""Staff pages: toolkit design, the triage board and evaluation scorecards."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cocreate.errors import ValidationError

from .. import selectors, services
from ..forms import (
    CriterionFormSet,
    ScorecardForm,
    ToolkitFieldFormSet,
    ToolkitForm,
    ToolkitVersionForm,
    field_rows_initial,
    wanted_state,
)
from .access import knowledge_community, require
from .responses import nav


def _definitions(formset) -> list[dict]:
    return [d for d in (f.definition() for f in formset.forms) if d is not None]


@login_required
@require_http_methods(["GET", "POST"])
def toolkits(request, slug):
    community = knowledge_community(request, slug)
    require(request, "knowledge.manage", community)
    form = ToolkitForm(request.POST or None)
    rows = ToolkitFieldFormSet(request.POST or None, prefix="fields")
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        try:
            created = services.toolkit_create(
                actor=request.user,
                community=community,
                fields=_definitions(rows),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The toolkit “%(t)s” is ready.") % {"t": created})
            return redirect("knowledge:toolkits", slug=community.slug)
    context = nav(request, community, "toolkits")
    context.update(
        {
            "toolkits": list(
                selectors.toolkits_for(user=request.user, community=community, active_only=False)
            ),
            "form": form,
            "rows": rows,
        }
    )
    return render(request, "knowledge/toolkits.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def toolkit_edit(request, slug, pk):
    """A new version of the toolkit (contributions keep the version they were written with),
    or switching it on and off."""
    community = knowledge_community(request, slug)
    require(request, "knowledge.manage", community)
    toolkit = selectors.toolkit_get(user=request.user, community=community, toolkit_id=pk)
    if request.method == "POST" and request.POST.get("action") == "active":
        active = wanted_state(request.POST, current=toolkit.is_active)
        services.toolkit_set_active(actor=request.user, toolkit=toolkit, active=active)
        messages.success(
            request,
            _("The toolkit accepts contributions.")
            if active
            else _("The toolkit no longer accepts contributions."),
        )
        return redirect("knowledge:toolkit_edit", slug=community.slug, pk=toolkit.pk)
    version = toolkit.current_version
    form = ToolkitVersionForm(
        request.POST or None, initial={"title": version.title, "guidance": version.guidance}
    )
    rows = ToolkitFieldFormSet(
        request.POST or None, prefix="fields", initial=field_rows_initial(version.fields)
    )
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        try:
            created = services.toolkit_revise(
                actor=request.user,
                toolkit=toolkit,
                title=form.cleaned_data["title"],
                guidance=form.cleaned_data["guidance"],
                fields=_definitions(rows),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Version %(n)s is saved.") % {"n": created.number})
            return redirect("knowledge:toolkit_edit", slug=community.slug, pk=toolkit.pk)
    context = nav(request, community, "toolkits")
    context.update({"toolkit": toolkit, "version": version, "form": form, "rows": rows})
    return render(request, "knowledge/toolkit_edit.html", context)


@login_required
@require_GET
def triage(request, slug):
    community = knowledge_community(request, slug)
    user = request.user
    challenges = list(
        selectors.challenges_for(user=user, community=community)
        .select_related(None)
        .only("id", "title")
    )
    try:
        challenge_id = int(request.GET.get("challenge") or 0)
    except ValueError:
        challenge_id = 0
    challenge = next((c for c in challenges if c.pk == challenge_id), None)
    board = selectors.triage_board(user=user, community=community, challenge=challenge)
    context = nav(request, community, "triage")
    context.update(
        {
            "board": board,
            "challenges": challenges,
            "challenge": challenge,
            "next": request.get_full_path(),
        }
    )
    return render(request, "knowledge/triage.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def scorecards(request, slug):
    """Staff see the scorecards; managers define new ones."""
    community = knowledge_community(request, slug)
    user = request.user
    if request.method == "POST":
        require(request, "knowledge.manage", community)
    cards = list(
        selectors.scorecards_for(user=user, community=community).select_related("challenge")
    )
    challenges = list(
        selectors.challenges_for(user=user, community=community)
        .select_related(None)
        .only("id", "title")
    )
    form = ScorecardForm(request.POST or None, challenges=challenges)
    rows = CriterionFormSet(request.POST or None, prefix="criteria")
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        criteria = [
            {"label": r.cleaned_data["label"], "weight": r.cleaned_data.get("weight") or 1}
            for r in rows.forms
            if r.cleaned_data.get("label", "").strip()
        ]
        try:
            services.scorecard_create(
                actor=user,
                community=community,
                title=form.cleaned_data["title"],
                criteria=criteria,
                challenge=form.challenge_object(),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The scorecard is saved."))
            return redirect("knowledge:scorecards", slug=community.slug)
    context = nav(request, community, "scorecards")
    context.update({"scorecards": cards, "form": form, "rows": rows})
    return render(request, "knowledge/scorecards.html", context)
