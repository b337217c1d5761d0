"""Search API: full-text search over a community's published contributions."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.types import AuthenticatedRequest
from cocreate.api.schema import SLUG_PARAM, error_responses
from communities.api import PersonSerializer

from .. import selectors
from .access import KnowledgeView
from .fields import S


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=200,
        allow_blank=True,
        help_text=_('Words to find; on PostgreSQL web-search syntax ("phrase", or, -word).'),
    )


class SearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="contribution.id")
    title = serializers.CharField(source="contribution.title")
    kind = serializers.CharField(source="contribution.kind")
    status = serializers.ChoiceField(choices=S.choices, source="contribution.status")
    author = PersonSerializer(source="contribution.author")
    support_count = serializers.IntegerField(source="contribution.support_count")
    comment_count = serializers.IntegerField(source="contribution.comment_count")
    submitted_at = serializers.DateTimeField(source="contribution.submitted_at", allow_null=True)
    snippet = serializers.CharField(
        help_text=_(
            "HTML: the matching passage with its text escaped and each match wrapped in "
            "<mark>...</mark>; safe to insert as HTML, no other tags appear."
        )
    )


class SearchResultsSerializer(serializers.Serializer):
    results = SearchHitSerializer(many=True)


@extend_schema(parameters=[SLUG_PARAM])
class SearchView(KnowledgeView):
    """Full-text search over a community's published contributions."""

    serializer_class = SearchResultsSerializer

    @extend_schema(
        operation_id="knowledge_search",
        parameters=[SearchQuerySerializer],
        responses={200: SearchResultsSerializer, **error_responses(400, 404)},
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        """Up to 20 published contributions matching ``q``, best first.

        ``snippet`` is HTML: the matching passage with its text HTML-escaped and every match
        wrapped in ``<mark>``; no other markup appears, so clients may insert it as HTML.
        On PostgreSQL results are ranked by relevance (title above body); elsewhere they are
        substring matches, newest first.
        """
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        hits = selectors.search_contributions(
            user=request.user, community=self.get_community(), query=params.validated_data["q"]
        )
        return Response(SearchResultsSerializer({"results": hits}).data)
