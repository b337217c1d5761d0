"""Reads of consent, restrictions and uses that pages and the API share. They authorize as they
fetch: a member reads only their own consent and the uses of their own contributions; a
community's uses, refusals and restrictions are for its staff."""

from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from accounts.models import User
from cocreate.permissions import require
from communities.models import Community, Membership
from knowledge.models import Contribution, ModerationState

from ..models import (
    ConsentEvent,
    ConsentPurpose,
    ConsentState,
    ContributionRestriction,
    UsageRecord,
    UsageRefusal,
)
from ..services.usage import refusal_reason


def live_purposes(*, community: Community | None) -> QuerySet[ConsentPurpose]:
    """The purposes members answer now: published, not archived, in display order (site-wide
    documents for ``community`` None)."""
    return (
        ConsentPurpose.objects.filter(
            community=community, archived_at__isnull=True, current_version__isnull=False
        )
        .select_related("current_version", "community")
        .order_by("position", "id")
    )


@dataclass
class PurposeAnswer:
    """One purpose as a member sees it on their consent page."""

    purpose: ConsentPurpose
    state: ConsentState | None

    @property
    def granted(self) -> bool:
        return self.state is not None and self.state.granted and not self.awaiting

    @property
    def awaiting(self) -> bool:
        """A new version waits for an answer: they had granted an earlier one."""
        return (
            self.state is not None
            and self.state.granted
            and self.state.version_id != self.purpose.current_version_id
        )


@dataclass
class CommunityConsent:
    community: Community | None
    answers: list[PurposeAnswer] = field(default_factory=list)


def consent_overview(*, user: User) -> list[CommunityConsent]:
    """Every site-wide document and every purpose of each community the user belongs to (or
    once answered), with their state: site documents first, then communities by name. Three
    queries whatever the number of communities."""
    states = {
        s.purpose_id: s
        for s in ConsentState.objects.filter(user=user).select_related("version", "last_event")
    }
    community_ids = set(
        Membership.objects.filter(user=user)
        .exclude(status=Membership.Status.BANNED)
        .values_list("community_id", flat=True)
    )
    purposes = (
        ConsentPurpose.objects.filter(current_version__isnull=False)
        .filter(
            Q(community__isnull=True, archived_at__isnull=True)
            | Q(community_id__in=community_ids, archived_at__isnull=True)
            | Q(pk__in=list(states))
        )
        .select_related("current_version", "community")
        .order_by("community__name", "community_id", "position", "id")
    )
    groups: dict[int | None, CommunityConsent] = {None: CommunityConsent(None)}
    for purpose in purposes:
        group = groups.setdefault(purpose.community_id, CommunityConsent(purpose.community))
        group.answers.append(PurposeAnswer(purpose, states.get(purpose.pk)))
    return [g for g in groups.values() if g.answers]


def awaiting_answers(*, user: User) -> list[PurposeAnswer]:
    """The purposes whose new version waits for the user's answer (they granted an earlier)."""
    rows = (
        ConsentState.objects.filter(
            user=user,
            granted=True,
            purpose__archived_at__isnull=True,
            purpose__current_version__isnull=False,
        )
        .exclude(version_id=F("purpose__current_version_id"))
        .select_related("purpose__current_version", "purpose__community", "version")
    )
    return [PurposeAnswer(s.purpose, s) for s in rows]


def consent_history(*, user: User, purpose: ConsentPurpose | None = None) -> QuerySet:
    """The user's own consent events, newest first (of one purpose when given)."""
    qs = ConsentEvent.objects.filter(user=user).select_related("version", "purpose__community")
    if purpose is not None:
        qs = qs.filter(purpose=purpose)
    return qs.order_by("-at", "-id")


def usable_for(queryset: QuerySet[Contribution], purpose: ConsentPurpose) -> QuerySet:
    """Contributions of ``queryset`` that could be used for ``purpose`` now: its author granted
    its current version and the contribution is not restricted from it (what the use check and
    trigger accept). An archived or unpublished purpose: none."""
    if purpose.archived_at is not None or purpose.current_version_id is None:
        return queryset.none()
    consented = ConsentState.objects.filter(
        user_id=OuterRef("author_id"),
        purpose=purpose,
        granted=True,
        version_id=purpose.current_version_id,
    )
    restricted = ContributionRestriction.objects.filter(
        contribution_id=OuterRef("pk"), purpose=purpose, active=True
    )
    return queryset.filter(Q(community_id=purpose.community_id)).filter(
        Exists(consented), ~Exists(restricted)
    )


@dataclass
class PurposeUse:
    """One purpose as staff see it on a contribution: usable now, or why not."""

    purpose: ConsentPurpose
    refusal: str | None
    restricted: bool

    @property
    def usable(self) -> bool:
        return self.refusal is None

    @property
    def refusal_label(self) -> str:
        return str(UsageRefusal.Reason(self.refusal).label) if self.refusal else ""


def contribution_purposes(*, viewer: User, contribution: Contribution) -> list[PurposeUse]:
    """For staff (``trust.view_usage``): each live purpose of the contribution's community, with
    whether the contribution is usable for it now and the restriction. Three queries."""
    require(viewer, "trust.view_usage", contribution.community)
    return _purpose_uses(contribution)


def _purpose_uses(contribution: Contribution) -> list[PurposeUse]:
    purposes = list(live_purposes(community=contribution.community))
    states = {
        s.purpose_id: s
        for s in ConsentState.objects.filter(user_id=contribution.author_id, purpose__in=purposes)
    }
    restricted = set(
        ContributionRestriction.objects.filter(contribution=contribution, active=True).values_list(
            "purpose_id", flat=True
        )
    )
    return [
        PurposeUse(
            p,
            refusal_reason(purpose=p, state=states.get(p.pk), restricted=p.pk in restricted),
            p.pk in restricted,
        )
        for p in purposes
    ]


def my_restrictions(*, user: User, contribution: Contribution) -> list[PurposeUse]:
    """The author's own view: each live purpose and whether they restricted this contribution."""
    if contribution.author_id != user.pk:
        return []
    return _purpose_uses(contribution)


def uses_of_contribution(*, viewer: User, contribution: Contribution) -> QuerySet[UsageRecord]:
    """Every use of one contribution, newest first: its author and the community's staff."""
    if contribution.author_id != viewer.pk:
        require(viewer, "trust.view_usage", contribution.community)
    return _uses().filter(contribution=contribution)


def _uses() -> QuerySet[UsageRecord]:
    return UsageRecord.objects.select_related(
        "contribution__community", "purpose", "version", "recorded_by"
    ).order_by("-recorded_at", "-id")


def uses_of_mine(*, user: User) -> QuerySet[UsageRecord]:
    """Every use of the user's contributions, newest first ("How my knowledge is used")."""
    return _uses().filter(author=user)


def community_uses(*, viewer: User, community: Community) -> QuerySet[UsageRecord]:
    """Every use recorded in ``community``, newest first (staff)."""
    require(viewer, "trust.view_usage", community)
    return _uses().filter(contribution__community=community)


def community_refusals(*, viewer: User, community: Community) -> QuerySet[UsageRefusal]:
    """The refused attempts in ``community``, newest first (staff audit)."""
    require(viewer, "trust.view_usage", community)
    return (
        UsageRefusal.objects.filter(contribution__community=community)
        .select_related("contribution", "purpose__current_version", "attempted_by")
        .order_by("-at", "-id")
    )


def usable_contributions(
    *, viewer: User, community: Community, purpose: ConsentPurpose
) -> QuerySet[Contribution]:
    """Staff (``trust.view_usage``): the community's published, visible contributions that may be
    used for ``purpose`` now (as :func:`usable_for`), newest first, with their authors."""
    require(viewer, "trust.view_usage", community)
    published = (
        Contribution.objects.filter(community=community, moderation_state=ModerationState.VISIBLE)
        .exclude(status=Contribution.Status.DRAFT)
        .select_related("author")
        .defer("body", "body_html", "search_vector", "fields")
    )
    return usable_for(published, purpose)


def community_purposes(*, viewer: User, community: Community) -> QuerySet[ConsentPurpose]:
    """Every purpose of ``community``, archived ones too, with their versions (managers)."""
    require(viewer, "trust.manage_purposes", community)
    return (
        ConsentPurpose.objects.filter(community=community)
        .select_related("current_version", "community")
        .order_by("archived_at", "position", "id")
    )
