"""Load the benchmark data set: 1,000 communities and 20,000 members. Safe to run twice.

Rows are written with ``bulk_create`` in batches (the services would take minutes for this
volume); the command keeps every invariant the services keep: one manager per community,
``member_count`` equal to the active memberships, unique slugs and emails. It also creates a
known bench user with a DRF token for the API measurement.

For benchmarks only: ``make bench`` runs it against a database of its own.
"""

import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import User
from communities.models import Community, Membership, Organization

ORGANIZATIONS = 10
COMMUNITIES = 1000
MEMBERS = 20_000
BATCH = 2000
BENCH_EMAIL = "bench@bench.cocreate.test"
SLUG_PREFIX = "bench-"

POLICIES = [Community.JoinPolicy.OPEN] * 5 + [Community.JoinPolicy.REQUEST] * 3
POLICIES += [Community.JoinPolicy.INVITATION] * 2


class Command(BaseCommand):
    help = "Create 1,000 communities and 20,000 members for `make bench` (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--communities", type=int, default=COMMUNITIES)
        parser.add_argument("--members", type=int, default=MEMBERS)

    def handle(self, *args, communities: int, members: int, **options):
        if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
            self.stderr.write("seed_bench is meant for PostgreSQL; continuing anyway.")
        existing = Community.objects.filter(slug__startswith=SLUG_PREFIX).count()
        if existing >= communities and User.objects.filter(email=BENCH_EMAIL).exists():
            self.stdout.write(f"Bench data already present ({existing} communities).")
        else:
            self._seed(communities, members)
        self._print_summary()

    @transaction.atomic
    def _seed(self, n_communities: int, n_members: int) -> None:
        rng = random.Random(20260101)  # the same data set on every machine
        now = timezone.now()
        # Drop any half-written earlier attempt; the transaction makes a partial one unlikely.
        Community.objects.filter(slug__startswith=SLUG_PREFIX).delete()
        User.objects.filter(email__endswith="@bench.cocreate.test").delete()
        Organization.objects.filter(slug__startswith=SLUG_PREFIX).delete()

        orgs = Organization.objects.bulk_create(
            Organization(name=f"Bench Firm {i}", slug=f"{SLUG_PREFIX}org-{i}")
            for i in range(ORGANIZATIONS)
        )
        # One hash for every bench account: hashing 20,000 passwords would take minutes.
        password = make_password(None)
        users = User.objects.bulk_create(
            (
                User(
                    email=f"member{i:05d}@bench.cocreate.test",
                    display_name=f"Bench Member {i}",
                    password=password,
                    date_joined=now,
                )
                for i in range(n_members)
            ),
            batch_size=BATCH,
        )
        bench_user = User.objects.create_user(
            email=BENCH_EMAIL, password=None, display_name="Bench User"
        )

        communities = Community.objects.bulk_create(
            (
                Community(
                    organization=orgs[i % len(orgs)],
                    name=f"Bench Community {i:04d}",
                    slug=f"{SLUG_PREFIX}{i:04d}",
                    tagline=f"Benchmark community number {i}.",
                    description="A community of the benchmark data set.\n\n" * 3,
                    visibility=(
                        Community.Visibility.PRIVATE if i % 5 == 4 else Community.Visibility.PUBLIC
                    ),
                    join_policy=POLICIES[i % len(POLICIES)],
                    created_at=now - timedelta(minutes=i),
                )
                for i in range(n_communities)
            ),
            batch_size=BATCH,
        )

        memberships = []
        # Every community's first member is its manager.
        for community, user in zip(communities, users, strict=False):
            memberships.append(self._membership(community, user, Membership.Role.MANAGER, now))
        # The rest spread with a skew, so a few communities are large and most are small.
        weights = [1 / (rank + 1) for rank in range(len(communities))]
        for user in users[len(communities) :]:
            community = rng.choices(communities, weights=weights)[0]
            role = Membership.Role.MODERATOR if rng.random() < 0.02 else Membership.Role.MEMBER
            status = (
                Membership.Status.PENDING
                if community.join_policy == Community.JoinPolicy.REQUEST and rng.random() < 0.1
                else Membership.Status.ACTIVE
            )
            memberships.append(self._membership(community, user, role, now, status))
        # The bench user belongs to twenty communities, public and private.
        for community in communities[:20]:
            memberships.append(self._membership(community, bench_user, Membership.Role.MEMBER, now))
        Membership.objects.bulk_create(memberships, batch_size=BATCH)

        counts = dict(
            Membership.objects.filter(
                community__slug__startswith=SLUG_PREFIX, status=Membership.Status.ACTIVE
            )
            .values("community_id")
            .annotate(n=Count("id"))
            .values_list("community_id", "n")
        )
        for community in communities:
            community.member_count = counts.get(community.pk, 0)
        Community.objects.bulk_update(communities, ["member_count"], batch_size=BATCH)
        Token.objects.get_or_create(user=bench_user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Bench data created: {len(communities)} communities, {len(users)} members, "
                f"{len(memberships)} memberships."
            )
        )

    @staticmethod
    def _membership(community, user, role, now, status=Membership.Status.ACTIVE) -> Membership:
        return Membership(
            community=community,
            user=user,
            role=role,
            status=status,
            joined_at=now if status == Membership.Status.ACTIVE else None,
            created_at=now,
        )

    def _print_summary(self) -> None:
        bench_user = User.objects.get(email=BENCH_EMAIL)
        token, _created = Token.objects.get_or_create(user=bench_user)
        public = Q(visibility=Community.Visibility.PUBLIC)
        biggest = (
            Community.objects.filter(public, slug__startswith=SLUG_PREFIX)
            .order_by("-member_count", "id")
            .first()
        )
        self.stdout.write(f"BENCH_TOKEN={token.key}")
        self.stdout.write(f"BENCH_COMMUNITY={biggest.slug if biggest else ''}")
        self.stdout.write(f"BENCH_COMMUNITY_MEMBERS={biggest.member_count if biggest else 0}")
