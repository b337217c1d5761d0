"""The one permission helper (``cocreate.permissions``): the refusal message comes from its
rule, no superuser shortcut, and no module calls Django's ``user.has_perm`` any more."""

import re
from pathlib import Path

import pytest
import rules
from django.contrib.auth.models import AnonymousUser

from cocreate import permissions
from cocreate.errors import PermissionDenied
from communities.models import Membership
from tests.factories import MembershipFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "cocreate", "communities", "events", "knowledge", "moderation", "notifications")


@pytest.fixture
def declared_rule():
    name = "tests.only_alice"
    permissions.rule(
        name,
        rules.predicate(lambda user: getattr(user, "email", "") == "alice@example.com"),
        "Only Alice may do this.",
    )
    yield name
    rules.remove_perm(name)


def test_require_raises_the_message_declared_with_the_rule(declared_rule):
    with pytest.raises(PermissionDenied) as refused:
        permissions.require(AnonymousUser(), declared_rule)
    assert str(refused.value) == "Only Alice may do this."
    assert permissions.refusal(AnonymousUser(), declared_rule) == "Only Alice may do this."


@pytest.mark.django_db
def test_allowed_and_require_pass_when_the_rule_holds(declared_rule):
    alice = UserFactory(email="alice@example.com")
    assert permissions.allowed(alice, declared_rule)
    assert permissions.refusal(alice, declared_rule) is None
    permissions.require(alice, declared_rule)  # no exception


@pytest.mark.django_db
def test_no_superuser_shortcut(declared_rule, community, platform_admin):
    # Django's user.has_perm says yes to any superuser, whatever the rule says.
    assert platform_admin.has_perm(declared_rule)
    assert not permissions.allowed(platform_admin, declared_rule)
    # A platform admin does not contribute (knowledge/rules.py), but does moderate.
    with pytest.raises(PermissionDenied):
        permissions.require(platform_admin, "knowledge.contribute", community)
    permissions.require(platform_admin, "moderation.moderate", community)


@pytest.mark.django_db
def test_a_message_may_depend_on_standing(community):
    banned = UserFactory()
    MembershipFactory(community=community, user=banned, status=Membership.Status.BANNED)
    assert permissions.refusal(banned, "knowledge.contribute", community) == (
        "You are banned from this community."
    )
    assert permissions.refusal(UserFactory(), "knowledge.contribute", community) == (
        "Only active members of this community can take part."
    )


def test_every_app_permission_declares_its_message():
    undeclared = [
        name
        for name in rules.permissions.permissions
        if name.split(".")[0] in APPS and not permissions.registered(name)
    ]
    assert undeclared == []


# Django's PermissionsMixin.has_perm (on a user or request.user) lets a superuser past every
# rule, and a second way to ask the rules would carry its own messages: only
# cocreate/permissions.py calls ``has_perm``.
HAS_PERM = re.compile(r"\.has_perm\(")
HELPER = ROOT / "cocreate" / "permissions.py"


def _python_files():
    for app in APPS:
        if (ROOT / app).is_dir():
            yield from (path for path in (ROOT / app).rglob("*.py") if path != HELPER)


def test_no_module_calls_has_perm():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _python_files()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if HAS_PERM.search(line)
    ]
    assert offenders == []


def test_the_grep_catches_what_it_forbids():
    assert HAS_PERM.search('if not request.user.has_perm("x", obj):')
    assert HAS_PERM.search('actor.has_perm("communities.manage_community", community)')
    assert HAS_PERM.search("return rules.has_perm(perm, user, obj)")
    assert not HAS_PERM.search('permissions.allowed(user, "x", obj)')
    assert any(path.name == "services.py" for path in _python_files())
