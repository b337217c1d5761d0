"""Discussions, step 2 of 3 (data only: PostgreSQL refuses the ALTER TABLEs of step 3 in a
transaction with pending deferred-constraint events): one discussion per existing
contribution and challenge, carrying its lock, in batches; then every comment and follow
points at its owner's discussion, set-based, a range of ids at a time. Reversed, the old
foreign keys and locks are filled again from the discussions."""

from django.db import migrations
from django.db.models import Max, Min, OuterRef, Subquery

BATCH = 2000
ID_RANGE = 20000
OWNERS = (("Contribution", "contribution"), ("Challenge", "challenge"))


def _id_ranges(queryset):
    bounds = queryset.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    for start in range(bounds["low"], bounds["high"] + 1, ID_RANGE):
        yield start, start + ID_RANGE


def discussions_for_owners(apps, schema_editor):
    Discussion = apps.get_model("knowledge", "Discussion")
    for model_name, fk in OWNERS:
        Owner = apps.get_model("knowledge", model_name)
        pending = (
            Owner.objects.filter(discussion__isnull=True)
            .order_by("pk")
            .only("pk", "community_id", "created_at", "is_locked")
        )
        while owners := list(pending[:BATCH]):
            threads = Discussion.objects.bulk_create(
                Discussion(
                    community_id=owner.community_id,
                    is_locked=owner.is_locked,
                    created_at=owner.created_at,
                )
                for owner in owners
            )
            for owner, thread in zip(owners, threads, strict=True):
                owner.discussion_id = thread.pk
            Owner.objects.bulk_update(owners, ["discussion"])
        threads_of_owners = Owner.objects.filter(pk=OuterRef(f"{fk}_id")).values("discussion_id")
        for model in ("Comment", "Follow"):
            rows = apps.get_model("knowledge", model).objects.filter(**{f"{fk}__isnull": False})
            for start, stop in _id_ranges(rows):
                rows.filter(pk__gte=start, pk__lt=stop).update(
                    discussion_id=Subquery(threads_of_owners[:1])
                )


def owners_from_discussions(apps, schema_editor):
    Discussion = apps.get_model("knowledge", "Discussion")
    lock = Discussion.objects.filter(pk=OuterRef("discussion_id")).values("is_locked")[:1]
    owner_of = {}
    for model_name, fk in OWNERS:
        Owner = apps.get_model("knowledge", model_name)
        Owner.objects.filter(discussion__isnull=False).update(is_locked=Subquery(lock))
        owner_of[f"{fk}_id"] = Subquery(
            Owner.objects.filter(discussion_id=OuterRef("discussion_id")).values("pk")[:1]
        )
    for model in ("Comment", "Follow"):
        rows = apps.get_model("knowledge", model).objects.filter(discussion__isnull=False)
        for start, stop in _id_ranges(rows):
            rows.filter(pk__gte=start, pk__lt=stop).update(**owner_of)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0008_discussion")]

    operations = [migrations.RunPython(discussions_for_owners, owners_from_discussions)]
