"""Each membership's ``approved_posts`` (added by communities 0003) counted from the posts that
exist: the member's contributions in the community past draft and visible, plus their visible
comments on contributions of the community — what ``moderation.trust.is_established`` counted
by query until now. The backfill lives here, not in communities: it reads knowledge's tables,
and communities sits below knowledge."""

from django.db import migrations
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

VISIBLE = "visible"
DRAFT = "draft"


def _count(queryset):
    """A correlated subquery: how many rows of ``queryset`` (already filtered by OuterRef)."""
    counted = queryset.order_by().values("author_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def backfill(apps, schema_editor):
    Membership = apps.get_model("communities", "Membership")
    Contribution = apps.get_model("knowledge", "Contribution")
    Comment = apps.get_model("knowledge", "Comment")
    contributions = Contribution.objects.filter(
        community_id=OuterRef("community_id"),
        author_id=OuterRef("user_id"),
        moderation_state=VISIBLE,
    ).exclude(status=DRAFT)
    comments = Comment.objects.filter(
        contribution__community_id=OuterRef("community_id"),
        author_id=OuterRef("user_id"),
        moderation_state=VISIBLE,
    )
    Membership.objects.update(approved_posts=_count(contributions) + _count(comments))


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0003_membership_approved_posts"),
        ("knowledge", "0006_moderation_and_replies_indexes"),
    ]

    # Going back, the column goes with communities 0003; there is nothing to undo here.
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
