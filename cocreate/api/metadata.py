"""What ``OPTIONS`` answers on the API: the endpoint's name, description, and the media types
it renders and parses.

DRF's default (``SimpleMetadata``) also describes the body each write method takes, and to do
so it asks the view for its object and checks the caller's permission on it: views that
resolve their objects through the access boundary (no ``queryset``) answered 500. The body of
every operation is described in the OpenAPI schema (``/api/schema/``), once and for every
caller; ``OPTIONS`` states the rest without reading a row.
"""

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request

if TYPE_CHECKING:  # DRF's views import this module while they load (DEFAULT_METADATA_CLASS)
    from rest_framework.views import APIView


class Metadata(SimpleMetadata):
    def determine_metadata(self, request: Request, view: "APIView") -> dict[str, Any]:
        data = super().determine_metadata(request, view)
        data["schema"] = reverse("api-schema")  # where each operation's body is described
        return data

    def determine_actions(self, request: Request, view: "APIView") -> dict[str, Any]:
        return {}  # no "actions": see the module's docstring
