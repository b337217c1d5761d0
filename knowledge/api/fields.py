"""Serializer fields, choices and path parameters that several knowledge resources share."""

from typing import Any

from rest_framework import serializers

from cocreate.api.schema import id_param
from cocreate.api.views import MAX_ID

from ..models import Contribution

S = Contribution.Status
# Named in the schema through SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] (PublishedStatusEnum).
PUBLISHED_STATUSES = [(value, label) for value, label in S.choices if value != S.DRAFT]


def id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


CHALLENGE_ID = id_param("challenge_id", "Id of the challenge.")
CONTRIBUTION_ID = id_param("contribution_id", "Id of the contribution.")
