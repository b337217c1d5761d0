"""The trust models in the Django admin: listed with rows for inspection, never editable there
(every write goes through the services)."""

import pytest
from django.urls import reverse

from trust import services

pytestmark = pytest.mark.django_db

MODELS = [
    "consentpurpose",
    "purposeversion",
    "consentevent",
    "consentstate",
    "contributionrestriction",
    "restrictionevent",
    "usagerecord",
    "usagerefusal",
]


def test_every_trust_changelist_shows_rows_read_only(
    client, platform_admin, manager, member, idea, product, marketing
):
    services.consent_grant(user=member, purpose=product)
    services.restriction_set(user=member, contribution=idea, purpose=marketing)
    services.usage_record(actor=manager, contribution=idea, purpose=product, what="w", where="x")
    with pytest.raises(services.UsageRefused):
        services.usage_record(
            actor=manager, contribution=idea, purpose=marketing, what="w", where="x"
        )
    client.force_login(platform_admin)
    for model in MODELS:
        response = client.get(reverse(f"admin:trust_{model}_changelist"))
        assert response.status_code == 200, model
        assert "0 results" not in response.content.decode(), model
        assert client.get(reverse(f"admin:trust_{model}_add")).status_code == 403, model
