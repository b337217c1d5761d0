"""Trust services: purposes and versions, grant and withdraw, restrictions, uses and refusals."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cocreate.errors import Conflict
from events.models import OutboxEvent
from knowledge.models import Contribution
from trust import selectors, services
from trust.models import (
    ConsentEvent,
    ConsentState,
    PurposeVersion,
    RestrictionEvent,
    UsageRecord,
    UsageRefusal,
    text_sha256,
)

from ..factories import CommunityFactory, MembershipFactory, UserFactory
from ..knowledge.factories import make_contribution
from .conftest import new_version

pytestmark = pytest.mark.django_db


def test_publish_stores_the_hash_and_becomes_current(product):
    version = product.current_version
    assert version.number == 1 and version.published_at is not None
    assert version.text_sha256 == text_sha256(version.text)
    assert OutboxEvent.objects.filter(kind="consent.purpose_published").exists()


def test_a_published_version_is_never_edited_a_new_one_is_drafted(manager, product):
    draft = services.purpose_draft_save(
        actor=manager, purpose=product, title="Product development", summary="s", text="Fixed typo"
    )
    assert draft.number == 2 and draft.published_at is None
    product.current_version.refresh_from_db()
    assert product.current_version.number == 1  # untouched
    services.purpose_publish(actor=manager, purpose=product)
    product.refresh_from_db()
    assert product.current_version_id == draft.pk
    assert PurposeVersion.objects.filter(purpose=product).count() == 2


def test_publishing_without_a_draft_is_a_conflict(manager, product):
    with pytest.raises(Conflict):
        services.purpose_publish(actor=manager, purpose=product)


def test_only_managers_define_purposes(community, member):
    with pytest.raises(PermissionDenied):
        services.purpose_create(
            actor=member, community=community, key="x", title="X", summary="x", text="x"
        )


def test_a_manager_of_another_community_cannot_publish(product, organization):
    other = CommunityFactory(organization=organization)
    stranger = UserFactory()
    MembershipFactory(community=other, user=stranger, role="manager")
    with pytest.raises(PermissionDenied):
        services.purpose_publish(actor=stranger, purpose=product)


def test_empty_words_are_refused_with_field_errors(community, manager):
    with pytest.raises(ValidationError) as caught:
        services.purpose_create(
            actor=manager, community=community, key="k", title="", summary="", text=""
        )
    assert set(caught.value.message_dict) == {"title", "summary", "text"}


def test_site_documents_are_for_platform_admins(platform_admin, manager):
    with pytest.raises(PermissionDenied):
        services.purpose_create(
            actor=manager,
            community=None,
            kind="terms",
            key="terms",
            title="T",
            summary="s",
            text="t",
        )
    terms = services.purpose_create(
        actor=platform_admin,
        community=None,
        kind="terms",
        key="terms",
        title="Terms of service",
        summary="The rules.",
        text="Terms text",
    )
    services.purpose_publish(actor=platform_admin, purpose=terms)
    terms.refresh_from_db()
    outsider = UserFactory()
    state = services.consent_grant(user=outsider, purpose=terms, channel="signup")
    assert state.granted


def test_grant_writes_event_and_state_together(member, product):
    state = services.consent_grant(user=member, purpose=product)
    event = ConsentEvent.objects.get(user=member)
    assert state.granted and state.version_id == product.current_version_id
    assert state.last_event == event
    assert event.action == "grant" and event.channel == "settings"
    assert event.text_sha256 == product.current_version.text_sha256
    assert OutboxEvent.objects.filter(kind="consent.granted").count() == 1


def test_a_repeated_grant_writes_nothing(member, product):
    services.consent_grant(user=member, purpose=product)
    services.consent_grant(user=member, purpose=product)
    assert ConsentEvent.objects.filter(user=member).count() == 1


def test_withdraw_then_grant_again_keeps_the_history(member, product):
    services.consent_grant(user=member, purpose=product)
    services.consent_withdraw(user=member, purpose=product)
    state = ConsentState.objects.get(user=member, purpose=product)
    assert not state.granted
    actions = [e.action for e in selectors.consent_history(user=member)]
    assert actions == ["withdraw", "grant"]


def test_withdrawing_what_was_never_granted_writes_nothing(member, product):
    assert services.consent_withdraw(user=member, purpose=product) is None
    assert not ConsentEvent.objects.exists()


def test_outsiders_cannot_grant_a_community_purpose(outsider, product):
    with pytest.raises(PermissionDenied):
        services.consent_grant(user=outsider, purpose=product)
    assert not ConsentEvent.objects.exists()


def test_a_grant_against_words_no_longer_current_is_refused(manager, member, product):
    shown = product.current_version.text_sha256
    new_version(manager, product, "Second version of the text")
    with pytest.raises(Conflict):
        services.consent_grant(user=member, purpose=product, text_sha256=shown)
    assert not ConsentEvent.objects.exists()


def test_a_new_version_asks_again_for_that_purpose_only(manager, member, product, marketing):
    services.consent_grant(user=member, purpose=product)
    services.consent_grant(user=member, purpose=marketing)
    new_version(manager, marketing, "Marketing v2: we may also use your photo.")
    awaiting = selectors.awaiting_answers(user=member)
    assert [a.purpose.pk for a in awaiting] == [marketing.pk]
    services.consent_grant(user=member, purpose=marketing)
    assert selectors.awaiting_answers(user=member) == []


def test_join_requires_the_required_purposes(open_community, manager):
    MembershipFactory(community=open_community, user=manager, role="manager")
    required = services.purpose_create(
        actor=manager,
        community=open_community,
        key="r",
        title="R",
        summary="r",
        text="r",
        required=True,
    )
    services.purpose_publish(actor=manager, purpose=required)
    newcomer = UserFactory()
    with pytest.raises(ValidationError) as caught:
        services.consents_on_join(user=newcomer, community=open_community, granted_keys=[])
    assert "consents" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.consents_on_join(
            user=newcomer, community=open_community, granted_keys=["r", "nope"]
        )
    states = services.consents_on_join(user=newcomer, community=open_community, granted_keys=["r"])
    assert [s.purpose_id for s in states] == [required.pk]
    assert ConsentEvent.objects.get(user=newcomer).channel == "join"


# --- Restrictions ---------------------------------------------------------------------------


def test_only_the_author_restricts(idea, other_member, member, marketing):
    with pytest.raises(PermissionDenied, match="Only the author"):
        services.restriction_set(user=other_member, contribution=idea, purpose=marketing)
    assert not RestrictionEvent.objects.exists()
    services.restriction_set(user=member, contribution=idea, purpose=marketing)
    services.restriction_set(user=member, contribution=idea, purpose=marketing)
    services.restriction_clear(user=member, contribution=idea, purpose=marketing)
    actions = list(RestrictionEvent.objects.values_list("action", flat=True))
    assert actions == ["set", "clear"]


def test_a_purpose_of_another_community_cannot_restrict(idea, member, organization):
    other = CommunityFactory(organization=organization)
    boss = UserFactory()
    MembershipFactory(community=other, user=boss, role="manager")
    foreign = services.purpose_create(
        actor=boss, community=other, key="f", title="F", summary="f", text="f"
    )
    with pytest.raises(ValidationError):
        services.restriction_set(user=member, contribution=idea, purpose=foreign)


# --- Uses ----------------------------------------------------------------------------------


def _use(actor, idea, purpose, **kw):
    return services.usage_record(
        actor=actor,
        contribution=idea,
        purpose=purpose,
        what=kw.get("what", "Roadmap item"),
        where=kw.get("where", "Roadmap Q3"),
    )


def test_a_use_with_consent_is_recorded_with_its_event(manager, member, idea, product):
    services.consent_grant(user=member, purpose=product)
    use = _use(manager, idea, product)
    assert use.author_id == member.pk and use.version_id == product.current_version_id
    event = OutboxEvent.objects.get(kind="usage.recorded")
    assert event.payload["author_id"] == member.pk
    assert list(selectors.uses_of_mine(user=member)) == [use]


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("nothing", "no_consent"),
        ("withdrawn", "withdrawn"),
        ("restricted", "restricted"),
        ("outdated", "outdated"),
        ("archived", "archived"),
    ],
)
def test_a_refused_use_names_why_and_is_audited(manager, member, idea, product, setup, reason):
    if setup != "nothing":
        services.consent_grant(user=member, purpose=product)
    if setup == "withdrawn":
        services.consent_withdraw(user=member, purpose=product)
    if setup == "restricted":
        services.restriction_set(user=member, contribution=idea, purpose=product)
    if setup == "outdated":
        new_version(manager, product, "Product v2 text")
    if setup == "archived":
        services.purpose_archive(actor=manager, purpose=product)
        product.refresh_from_db()
    with pytest.raises(services.UsageRefused) as caught:
        _use(manager, idea, product)
    assert caught.value.code == reason
    assert str(caught.value) == services.usage.refusal_text(reason)
    assert not UsageRecord.objects.exists()
    refusal = UsageRefusal.objects.get()
    assert refusal.reason == reason and refusal.attempted_by == manager
    assert not OutboxEvent.objects.filter(kind="usage.recorded").exists()


def test_members_and_moderators_cannot_record_uses(member, moderator, idea, product):
    services.consent_grant(user=member, purpose=product)
    for actor in (member, moderator):
        with pytest.raises(PermissionDenied):
            _use(actor, idea, product)
    assert not UsageRecord.objects.exists() and not UsageRefusal.objects.exists()


def test_a_use_needs_what_and_where(manager, member, idea, product):
    services.consent_grant(user=member, purpose=product)
    with pytest.raises(ValidationError) as caught:
        _use(manager, idea, product, what=" ", where="")
    assert set(caught.value.message_dict) == {"what", "where"}


def test_usable_for_filters_by_consent_and_restriction(
    community, manager, member, other_member, toolkit, product
):
    mine = make_contribution(author=member, community=community, toolkit=toolkit, title="Mine A")
    restricted = make_contribution(
        author=member, community=community, toolkit=toolkit, title="Mine B"
    )
    theirs = make_contribution(
        author=other_member, community=community, toolkit=toolkit, title="Theirs"
    )
    services.consent_grant(user=member, purpose=product)
    services.restriction_set(user=member, contribution=restricted, purpose=product)
    usable = set(selectors.usable_for(Contribution.objects.all(), product))
    assert usable == {mine}
    assert theirs not in usable
    states = {
        u.purpose.key: u
        for u in selectors.contribution_purposes(viewer=manager, contribution=restricted)
    }
    assert states["product"].refusal == "restricted"
