"""Points pages: a member's wallet (balance, history, how to earn), and the managers' rules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cocreate.errors import ValidationError
from cocreate.pagination import keyset_paginate
from communities.access import access_community

from . import selectors
from .forms import RulesForm
from .models import CAUSES
from .services.rules import rules_publish

PAGE_SIZE = 25


@login_required
@require_GET
def wallet(request, slug):
    standing = access_community(request.user, slug, need="incentives.view_wallet")
    community = standing.community
    wallet = selectors.wallet_of(user=request.user, community=community)
    balance = selectors.balance_in(wallet)
    page = keyset_paginate(
        selectors.history_of(wallet),
        ordering=selectors.HISTORY_ORDER,
        cursor=request.GET.get("cursor") or None,
        page_size=PAGE_SIZE,
    )
    rows = [
        {
            "entry": entry,
            "signed": entry.signed,
            "contribution_id": selectors.contribution_of(entry),
        }
        for entry in page.items
    ]
    return render(
        request,
        "incentives/wallet.html",
        {
            "community": community,
            "balance": balance,
            "page": page,
            "rows": rows,
            "rules": selectors.rules_in_force(community=community),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rules(request, slug):
    community = access_community(request.user, slug, need="incentives.manage_rules").community
    versions = list(selectors.rules_versions(user=request.user, community=community)[:20])
    current = versions[0] if versions else None
    fields = (*CAUSES, "supports_per_day", "daily_cap")
    if current is not None:
        initial = {name: getattr(current, name) for name in fields}
    else:  # the first version: nothing earned until the manager says how much
        initial = {**dict.fromkeys(CAUSES, 0), "supports_per_day": 10, "daily_cap": 200}
    form = RulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            published = rules_publish(actor=request.user, community=community, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            done = _("Version %(version)s of the rules applies from now on.") % {
                "version": published.version
            }
            kept = _("Points already earned keep theirs.")
            messages.success(request, f"{done} {kept}")
            return redirect("incentives:rules", slug=community.slug)
    return render(
        request,
        "incentives/rules.html",
        {"community": community, "form": form, "versions": versions, "causes": CAUSES},
        status=400 if request.method == "POST" else 200,
    )
