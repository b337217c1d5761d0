"""A community with two published purposes (one required), a member's idea and a manager; every
test's archives in a directory of its own."""

import pytest

from trust import services


@pytest.fixture
def product(community, manager):
    purpose = services.purpose_create(
        actor=manager,
        community=community,
        key="product",
        title="Product development",
        summary="We may use your contributions to build products.",
        text="Full text: the firm may use contributions in product development.",
        required=True,
    )
    services.purpose_publish(actor=manager, purpose=purpose)
    purpose.refresh_from_db()
    return purpose


@pytest.fixture
def marketing(community, manager):
    purpose = services.purpose_create(
        actor=manager,
        community=community,
        key="marketing",
        title="Quote me in marketing",
        summary="We may quote you by name in marketing.",
        text="Full text: the firm may quote contributions by name in marketing material.",
    )
    services.purpose_publish(actor=manager, purpose=purpose)
    purpose.refresh_from_db()
    return purpose


def new_version(manager, purpose, text: str):
    services.purpose_draft_save(
        actor=manager,
        purpose=purpose,
        title=purpose.current_version.title,
        summary=purpose.current_version.summary,
        text=text,
    )
    services.purpose_publish(actor=manager, purpose=purpose)
    purpose.refresh_from_db()
    return purpose


@pytest.fixture(autouse=True)
def _export_root(settings, tmp_path):
    """Every test writes its archives to a directory of its own."""
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT
