"""Property-based tests of the knowledge API (set-up in tests/apifuzz.py), anonymously and as
signed-in people. Bounded (a few examples per operation); raise ``MAX_EXAMPLES`` locally to dig
deeper.
"""

from ..apifuzz import fuzz, operations, role_tests
from ..authz.world import World

MAX_EXAMPLES = 10
KNOWLEDGE_PATHS = (
    r"^/api/v1/(communities/\{slug\}/(toolkits|challenges|contributions|search|triage|scorecards)"
    r"|comments)/"
)

schema = operations(path_regex=KNOWLEDGE_PATHS)
fuzzed = fuzz(schema, MAX_EXAMPLES)


def test_the_knowledge_operations_are_fuzzed():
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 30


def _use_real_objects(case, world: World) -> None:
    """Point path parameters at objects that exist, so bodies reach the services."""
    params = case.path_parameters or {}
    path = case.operation.path
    if "slug" in params:
        params["slug"] = world.community.slug
    if "toolkit_id" in params:
        params["toolkit_id"] = world.toolkit.pk
    if "challenge_id" in params:
        params["challenge_id"] = world.challenge.pk
    if "contribution_id" in params:
        params["contribution_id"] = (
            world.draft.pk if path.endswith("/submit/") else world.contribution.pk
        )
    if "comment_id" in params:
        params["comment_id"] = world.comment.pk


(
    test_anonymous,
    test_member_with_generated_parameters,
    test_member_on_real_objects,
    test_manager_on_real_objects,
) = role_tests(fuzzed, _use_real_objects)
