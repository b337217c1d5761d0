"""Trust pages: joining with purposes, one-click grant and withdraw, restricting, recording a
use with the refusal shown on the form."""

import pytest

from communities import services as communities
from communities.models import Membership
from trust import services
from trust.models import ConsentEvent, ConsentState, UsageRecord, UsageRefusal

from ..factories import MembershipFactory, UserFactory
from ..knowledge.factories import make_contribution

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_purposes(open_community, manager):
    MembershipFactory(community=open_community, user=manager, role="manager")
    made = []
    for key, required in (("product", True), ("marketing", False)):
        purpose = services.purpose_create(
            actor=manager,
            community=open_community,
            key=key,
            title=f"{key} title",
            summary=f"{key} in plain words",
            text=f"{key} full text",
            required=required,
        )
        services.purpose_publish(actor=manager, purpose=purpose)
        made.append(purpose)
    return made


def test_the_join_page_shows_purposes_unticked(client, open_community, open_purposes):
    client.force_login(UserFactory())
    html = client.get(f"/c/{open_community.slug}/join/").content.decode()
    assert "product in plain words" in html and "marketing in plain words" in html
    assert 'value="product" id="consent-product" checked' not in html
    assert "checked" not in html.split("join-consents")[1].split("</fieldset>")[0]


def test_joining_without_the_required_purpose_is_refused(client, open_community, open_purposes):
    newcomer = UserFactory()
    client.force_login(newcomer)
    response = client.post(f"/c/{open_community.slug}/join/", {"consents": ["marketing"]})
    assert response.status_code == 200
    assert "To join, accept" in response.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()
    assert not ConsentEvent.objects.filter(user=newcomer).exists()


def test_joining_with_the_required_purpose_records_it_with_the_membership(
    client, open_community, open_purposes
):
    newcomer = UserFactory()
    client.force_login(newcomer)
    response = client.post(f"/c/{open_community.slug}/join/", {"consents": ["product"]})
    assert response.status_code == 302
    assert Membership.objects.get(user=newcomer, community=open_community).status == "active"
    event = ConsentEvent.objects.get(user=newcomer)
    assert (event.purpose.key, event.channel) == ("product", "join")


def test_api_join_needs_the_required_purpose(client, open_community, open_purposes):
    newcomer = UserFactory()
    client.force_login(newcomer)
    url = f"/api/v1/communities/{open_community.slug}/join/"
    response = client.post(url, {"consents": []}, content_type="application/json")
    assert response.status_code == 400
    assert (
        "consents" in response.json()["errors"]
        if "errors" in response.json()
        else "consents" in str(response.json())
    )
    response = client.post(url, {"consents": ["product"]}, content_type="application/json")
    assert response.status_code == 200
    assert ConsentEvent.objects.get(user=newcomer).channel == "api"


def test_grant_and_withdraw_are_one_click_each(client, member, marketing):
    client.force_login(member)
    page = client.get("/me/consent/").content.decode()
    assert "Give consent" in page
    client.post(
        f"/me/consent/{marketing.pk}/grant/", {"sha256": marketing.current_version.text_sha256}
    )
    assert ConsentState.objects.get(user=member, purpose=marketing).granted
    assert "Withdraw consent" in client.get("/me/consent/").content.decode()
    client.post(f"/me/consent/{marketing.pk}/withdraw/")
    assert not ConsentState.objects.get(user=member, purpose=marketing).granted


def test_htmx_answers_swap_the_row(client, member, marketing):
    client.force_login(member)
    response = client.post(f"/me/consent/{marketing.pk}/grant/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and f'id="consent-{marketing.pk}"' in html
    assert "Withdraw consent" in html


def test_a_refused_use_is_a_form_error_and_audited(client, manager, member, idea, marketing):
    client.force_login(manager)
    response = client.post(
        f"/c/{idea.community.slug}/ideas/{idea.pk}/use/record/",
        {"purpose": marketing.pk, "what": "Quote", "where": "Newsletter"},
    )
    assert response.status_code == 200
    assert "has not consented" in response.content.decode()
    assert not UsageRecord.objects.exists()
    assert UsageRefusal.objects.count() == 1


def test_the_author_restricts_and_staff_see_it(client, manager, member, idea, marketing):
    services.consent_grant(user=member, purpose=marketing)
    client.force_login(member)
    client.post(
        f"/c/{idea.community.slug}/ideas/{idea.pk}/use/restrict/",
        {"purpose": marketing.pk, "on": "1"},
    )
    client.force_login(manager)
    html = client.get(f"/c/{idea.community.slug}/ideas/{idea.pk}/use/").content.decode()
    assert "Restricted by the author" in html and 'data-usable="no"' in html


def test_my_uses_lists_every_use(client, manager, member, idea, product):
    services.consent_grant(user=member, purpose=product)
    services.usage_record(
        actor=manager, contribution=idea, purpose=product, what="Roadmap item", where="Roadmap Q3"
    )
    client.force_login(member)
    html = client.get("/me/uses/").content.decode()
    assert "Roadmap Q3" in html and manager.public_name in html


def test_accepting_an_invitation_asks_the_required_purposes(client, private_community, manager):
    purpose = services.purpose_create(
        actor=manager,
        community=private_community,
        key="product",
        title="Product development",
        summary="Use in products.",
        text="Full text.",
        required=True,
    )
    services.purpose_publish(actor=manager, purpose=purpose)
    invitee = UserFactory(email="invitee@example.test")
    _invitation, token = communities.invitation_create(
        actor=manager, community=private_community, email=invitee.email
    )
    client.force_login(invitee)
    page = client.get(f"/invitations/{token}/").content.decode()
    assert "Use in products." in page
    response = client.post(f"/invitations/{token}/", {})
    assert response.status_code == 200 and "To join, accept" in response.content.decode()
    assert not Membership.objects.filter(user=invitee).exists()
    response = client.post(f"/invitations/{token}/", {"consents": ["product"]})
    assert response.status_code == 302
    assert Membership.objects.get(user=invitee, community=private_community).status == "active"
    assert ConsentEvent.objects.get(user=invitee).channel == "join"


def test_staff_list_what_is_usable_for_a_purpose(
    client, community, manager, member, other_member, toolkit, product
):
    usable = make_contribution(author=member, community=community, toolkit=toolkit, title="Yes A")
    restricted = make_contribution(
        author=member, community=community, toolkit=toolkit, title="No B"
    )
    unconsented = make_contribution(
        author=other_member, community=community, toolkit=toolkit, title="No C"
    )
    services.consent_grant(user=member, purpose=product)
    services.restriction_set(user=member, contribution=restricted, purpose=product)
    client.force_login(manager)
    html = client.get(f"/c/{community.slug}/consent/usable/?purpose={product.pk}").content.decode()
    assert usable.title in html
    assert restricted.title not in html and unconsented.title not in html
