"""The knowledge API is fully documented in the OpenAPI schema."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

C = "/api/v1/communities/{slug}"
CONTRIBUTION = f"{C}/contributions/{{contribution_id}}"
CHALLENGE = f"{C}/challenges/{{challenge_id}}"
COMMENT = "/api/v1/comments/{comment_id}"

KNOWLEDGE_OPERATIONS = {
    (f"{C}/toolkits/", "get"),
    (f"{C}/toolkits/", "post"),
    (f"{C}/toolkits/{{toolkit_id}}/", "get"),
    (f"{C}/toolkits/{{toolkit_id}}/", "put"),
    (f"{C}/toolkits/{{toolkit_id}}/", "patch"),
    (f"{C}/challenges/", "get"),
    (f"{C}/challenges/", "post"),
    (f"{CHALLENGE}/", "get"),
    (f"{CHALLENGE}/phase/", "post"),
    (f"{CHALLENGE}/comments/", "get"),
    (f"{CHALLENGE}/comments/", "post"),
    (f"{C}/contributions/", "get"),
    (f"{C}/contributions/", "post"),
    (f"{CONTRIBUTION}/", "get"),
    (f"{CONTRIBUTION}/", "patch"),
    (f"{CONTRIBUTION}/submit/", "post"),
    (f"{CONTRIBUTION}/support/", "post"),
    (f"{CONTRIBUTION}/support/", "delete"),
    (f"{CONTRIBUTION}/follow/", "post"),
    (f"{CONTRIBUTION}/follow/", "delete"),
    (f"{CONTRIBUTION}/status/", "post"),
    (f"{CONTRIBUTION}/lock/", "post"),
    (f"{CONTRIBUTION}/comments/", "get"),
    (f"{CONTRIBUTION}/comments/", "post"),
    (f"{CONTRIBUTION}/evaluations/", "get"),
    (f"{CONTRIBUTION}/evaluations/", "post"),
    (f"{COMMENT}/", "get"),
    (f"{COMMENT}/", "patch"),
    (f"{COMMENT}/replies/", "get"),
    (f"{COMMENT}/helpful/", "post"),
    (f"{C}/search/", "get"),
    (f"{C}/triage/", "get"),
    (f"{C}/scorecards/", "get"),
    (f"{C}/scorecards/", "post"),
}
KNOWLEDGE_PREFIXES = tuple(
    f"{C}/{part}/" for part in ("toolkits", "challenges", "contributions", "search", "triage")
) + (f"{C}/scorecards/", "/api/v1/comments/")


@pytest.fixture(scope="module")
def schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(generated)
    return generated


def test_every_knowledge_operation_is_documented_with_its_errors(schema):
    operations = {
        (path, method)
        for path, item in schema["paths"].items()
        if path.startswith(KNOWLEDGE_PREFIXES)
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert operations == KNOWLEDGE_OPERATIONS
    for path, method in operations:
        op = schema["paths"][path][method]
        assert op["operationId"].startswith("knowledge_"), (method, path)
        assert op.get("description"), f"{method} {path} has no description"
        for code in ("401", "429"):
            assert code in op["responses"], f"{method} {path} does not document {code}"
        assert {"tokenAuth": []} in op["security"]


def test_feed_documents_its_sorts_and_cursor(schema):
    params = {p["name"]: p for p in schema["paths"][f"{C}/contributions/"]["get"]["parameters"]}
    assert {"cursor", "page_size", "sort", "kind", "status", "tag", "challenge"} <= set(params)
    assert params["sort"]["schema"]["enum"] == ["new", "top", "discussed", "trending"]
    assert params["sort"]["schema"]["default"] == "new"


def test_search_snippet_is_documented_as_html_with_marks(schema):
    snippet = schema["components"]["schemas"]["SearchHit"]["properties"]["snippet"]
    assert "<mark>" in snippet["description"]
    assert "escaped" in snippet["description"]
