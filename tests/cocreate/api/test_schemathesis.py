"""Property-based tests of the accounts and communities API (set-up in tests/apifuzz.py),
anonymously and as signed-in people. Bounded (a few examples per operation) so the whole module
runs in about a minute; raise ``MAX_EXAMPLES`` locally to dig deeper.
"""

from ...apifuzz import call, fuzz, operations, role_tests
from ...authz.world import World
from .test_schema import EXPECTED_OPERATIONS

MAX_EXAMPLES = 12

# The accounts and communities operations (other apps fuzz their own).
OUR_PATHS = sorted({path for path, _method in EXPECTED_OPERATIONS})
fuzzed = fuzz(operations(path=OUR_PATHS), MAX_EXAMPLES)


def _use_real_objects(case, world: World) -> None:
    """Point path parameters at objects that exist, so bodies reach the services."""
    params = case.path_parameters or {}
    path = case.operation.path
    if "slug" in params:
        params["slug"] = (
            world.private_community.slug if "/invitations/" in path else world.community.slug
        )
    if "membership_id" in params:
        params["membership_id"] = world.pending.pk if "/join-requests/" in path else world.target.pk
    if "invitation_id" in params:
        params["invitation_id"] = world.invitation.pk


(
    test_anonymous,
    test_member_with_generated_parameters,
    test_member_on_real_objects,
    test_manager_on_real_objects,
) = role_tests(fuzzed, _use_real_objects)


# Only organisation staff can create communities; fuzz creation as them.
@fuzz(operations(method="POST", path="/api/v1/communities/"), MAX_EXAMPLES)
def test_org_staff_creates_communities(case, fuzz_world):
    call(case, fuzz_world.users["org_staff"])
