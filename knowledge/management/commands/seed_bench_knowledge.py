"""Benchmark data for knowledge (PostgreSQL only): a big community with 100,000 contributions
and 1,000,000 comments, a small one with 1,000 contributions, and one contribution with exactly
200 comments in threads.

Rows are generated inside PostgreSQL with generate_series (services would take hours at this
size); counters, tag rows and search vectors are then derived in bulk so every invariant the
services keep also holds here. Idempotent: a community already seeded is left alone.
"""

import time

from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create
from communities import services as community_services
from communities.models import Community, Membership, Organization
from knowledge import services as knowledge_services
from knowledge.models import Contribution
from knowledge.services.publishing import approved_posts_recount

WORDS = [
    "chain", "frame", "brake", "saddle", "wheel", "light", "quiet", "weight", "grip", "tyre",
    "pedal", "gear", "rain", "mud", "climb", "descent", "comfort", "battery", "mount", "rack",
]  # fmt: skip
BENCH_USER_EMAIL = "bench@bench.cocreate.test"  # the user seed_bench gives an API token
RARE_TERM = "zeppelin"  # appears in 0.01% of contributions
BENCH_PASSWORD = "bench-password-not-secret"  # noqa: S105


class Command(BaseCommand):
    help = "Seed knowledge benchmark data (PostgreSQL only)."

    def add_arguments(self, parser):
        parser.add_argument("--big", type=int, default=100_000)
        parser.add_argument("--small", type=int, default=1_000)
        parser.add_argument("--comments", type=int, default=1_000_000)
        parser.add_argument("--authors", type=int, default=500)

    def handle(self, *args, big, small, comments, authors, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_bench_knowledge needs PostgreSQL (DATABASE_URL=postgres://…)")
        started = time.monotonic()
        staff, org = self._firm()
        member_ids = self._authors(staff, authors)
        for slug, count, n_comments in (
            ("bench-knowledge-big", big, comments),
            ("bench-knowledge-small", small, 0),
        ):
            community = Community.objects.filter(slug=slug).first()
            if community is not None and Contribution.objects.filter(community=community).exists():
                self.stdout.write(f"{slug}: already seeded")
                continue
            community = community or community_services.community_create(
                actor=staff, organization=org, name=slug.replace("-", " ").title(), slug=slug
            )
            self._members(community, member_ids)
            toolkit = knowledge_services.toolkit_create(
                actor=staff,
                community=community,
                title="Share an idea",
                fields=[{"label": "Problem", "type": "long_text", "required": True}],
            )
            self._contributions(community, toolkit.current_version_id, member_ids, count)
            if n_comments:
                self._comments(community, member_ids, n_comments)
            # The members' approved posts, as the services would have counted them.
            approved_posts_recount(community=community)
            self.stdout.write(f"{slug}: {count} contributions, {n_comments} comments")
        with connection.cursor() as cursor:
            # Fresh statistics (and no dead tuples from earlier attempts) for the planner.
            for table in (
                "knowledge_discussion",
                "knowledge_contribution",
                "knowledge_comment",
                "knowledge_contributiontag",
            ):
                cursor.execute(f"VACUUM ANALYZE {table}")
        self._report()
        self.stdout.write(f"seed_bench_knowledge done in {time.monotonic() - started:.0f}s")

    def _report(self) -> None:
        """Print what the bench needs: the two communities, the showcase contribution and a
        session for the bench user (a member of both), as BENCH_* lines."""
        bench_user = User.objects.filter(email=BENCH_USER_EMAIL).first()
        if bench_user is None:
            bench_user = user_create(
                email=BENCH_USER_EMAIL,
                password=None,
                display_name="Bench User",
                email_verified=True,
            )
        for slug in ("bench-knowledge-big", "bench-knowledge-small"):
            community = Community.objects.get(slug=slug)
            self._members(community, [bench_user.pk])
            self.stdout.write(f"BENCH_{slug.split('-')[-1].upper()}_KNOWLEDGE={slug}")
        showcase = Contribution.objects.get(title="Bench contribution with 200 comments")
        self.stdout.write(f"BENCH_CONTRIBUTION_200={showcase.pk}")
        session = SessionStore()
        session[SESSION_KEY] = str(bench_user.pk)
        session[BACKEND_SESSION_KEY] = django_settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = bench_user.get_session_auth_hash()
        session.set_expiry(24 * 3600)
        session.save()
        self.stdout.write(f"BENCH_SESSION={session.session_key}")

    def _firm(self):
        org = Organization.objects.filter(slug="bench-knowledge").first()
        if org is None:
            org = community_services.organization_create(
                name="Bench Knowledge Firm", slug="bench-knowledge"
            )

        staff = User.objects.filter(email="bench-knowledge-staff@bench.test").first()
        if staff is None:
            staff = user_create(
                email="bench-knowledge-staff@bench.test",
                password=BENCH_PASSWORD,
                display_name="Bench Staff",
                email_verified=True,
            )
        community_services.organization_add_staff(organization=org, user=staff)
        return staff, org

    def _authors(self, staff, count: int) -> list[int]:
        existing = list(
            User.objects.filter(email__startswith="bench-author-").values_list("id", flat=True)
        )
        for i in range(len(existing), count):
            existing.append(
                user_create(
                    email=f"bench-author-{i}@bench.test",
                    password=None,  # unusable: hashing 500 passwords would dominate seeding
                    display_name=f"Bench Author {i}",
                    email_verified=True,
                ).pk
            )
        return existing[:count]

    @transaction.atomic
    def _members(self, community: Community, member_ids: list[int]) -> None:
        present = set(
            Membership.objects.filter(community=community).values_list("user_id", flat=True)
        )

        now = timezone.now()
        Membership.objects.bulk_create(
            Membership(
                community=community, user_id=uid, role="member", status="active", joined_at=now
            )
            for uid in member_ids
            if uid not in present
        )
        active = Membership.objects.filter(community=community, status="active").count()
        Community.objects.filter(pk=community.pk).update(member_count=active)

    def _contributions(self, community, version_id: int, member_ids: list[int], count: int):
        words = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]"
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                f"""
                WITH threads AS (
                    INSERT INTO knowledge_discussion (community_id, is_locked, created_at)
                    SELECT %(community)s, false, now() - (g || ' minutes')::interval
                    FROM generate_series(1, %(count)s) AS g
                    RETURNING id
                ), numbered AS (
                    SELECT id, row_number() OVER (ORDER BY id) AS g FROM threads
                )
                INSERT INTO knowledge_contribution
                    (community_id, toolkit_version_id, author_id, kind, title, body, body_html,
                     fields, tags, status, discussion_id, moderation_state, moderation_reason,
                     first_approval_pending,
                     support_count, comment_count,
                     last_activity_at, created_at, submitted_at, updated_at)
                SELECT %(community)s, %(version)s,
                       (%(authors)s::bigint[])[1 + (s.g %% cardinality(%(authors)s::bigint[]))],
                       'idea',
                       initcap(w1) || ' ' || w2 || ' idea ' || s.g,
                       'Riders report that the ' || w1 || ' and the ' || w2 ||
                       ' could be better. ' ||
                       CASE WHEN s.g %% 10000 = 7 THEN '{RARE_TERM} ' ELSE '' END ||
                       'Idea number ' || s.g || ' with details about ' || w3 || '.',
                       '<p>Idea ' || s.g || '</p>',
                       jsonb_build_object('problem', 'Problem ' || s.g),
                       jsonb_build_array(w1),
                       (ARRAY['submitted','under_review','accepted','declined'])[1 + s.g %% 4],
                       numbered.id, 'visible', '', false, s.g %% 50, 0,
                       now() - (s.g || ' minutes')::interval,
                       now() - (s.g || ' minutes')::interval,
                       now() - (s.g || ' minutes')::interval,
                       now()
                FROM (
                    SELECT g,
                           ({words})[1 + (g * 7) %% {len(WORDS)}] AS w1,
                           ({words})[1 + (g * 13) %% {len(WORDS)}] AS w2,
                           ({words})[1 + (g * 3) %% {len(WORDS)}] AS w3
                    FROM generate_series(1, %(count)s) AS g
                ) AS s
                JOIN numbered ON numbered.g = s.g
                """,  # noqa: S608 - only constants of this module are formatted in
                {
                    "community": community.pk,
                    "version": version_id,
                    "authors": member_ids,
                    "count": count,
                },
            )
            cur.execute(
                """
                INSERT INTO knowledge_contributiontag (contribution_id, community_id_copy, tag)
                SELECT id, community_id, tags->>0 FROM knowledge_contribution
                WHERE community_id = %s
                """,
                [community.pk],
            )
            cur.execute(
                """
                UPDATE knowledge_contribution SET search_vector =
                    setweight(to_tsvector('english', title), 'A') ||
                    setweight(to_tsvector('english', body), 'B')
                WHERE community_id = %s
                """,
                [community.pk],
            )

    def _comments(self, community, member_ids: list[int], total: int) -> None:
        """One contribution (the newest) gets exactly 200 comments: 40 top-level with 4 replies
        each; the rest are spread over the other contributions, a fifth of them replies."""
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "SELECT id, discussion_id FROM knowledge_contribution WHERE community_id = %s "
                "ORDER BY submitted_at DESC, id DESC LIMIT 1",
                [community.pk],
            )
            showcase, thread = cur.fetchone()
            cur.execute(
                "UPDATE knowledge_contribution SET title = 'Bench contribution with 200 comments'"
                " WHERE id = %s",
                [showcase],
            )
            params = {
                "authors": member_ids,
                "community": community.pk,
                "showcase": showcase,
                "thread": thread,
            }
            # Top-level comments on the showcase.
            cur.execute(
                """
                INSERT INTO knowledge_comment (discussion_id, author_id, body, body_html,
                    is_official, is_helpful, moderation_state, moderation_reason,
                     first_approval_pending, reply_count,
                        created_at)
                SELECT %(thread)s,
                       (%(authors)s::bigint[])[1 + (g %% cardinality(%(authors)s::bigint[]))],
                       'Top comment ' || g, '<p>Top comment ' || g || '</p>',
                       g %% 17 = 0, false, 'visible', '', false, 4,
                           now() - ((200 - g) || ' minutes')::interval
                FROM generate_series(1, 40) AS g
                """,
                params,
            )
            cur.execute(
                """
                INSERT INTO knowledge_comment (discussion_id, parent_id, author_id, body,
                    body_html, is_official, is_helpful, moderation_state, moderation_reason,
                     first_approval_pending,
                        reply_count, created_at)
                SELECT %(thread)s, p.id,
                       (%(authors)s::bigint[])[1 + (r %% cardinality(%(authors)s::bigint[]))],
                       'Reply ' || r, '<p>Reply ' || r || '</p>', false, false, 'visible', '',
                       false, 0,
                       p.created_at + (r || ' seconds')::interval
                FROM knowledge_comment p CROSS JOIN generate_series(1, 4) AS r
                WHERE p.discussion_id = %(thread)s AND p.parent_id IS NULL
                """,
                params,
            )
            remaining = max(total - 200, 0)
            top = remaining * 4 // 5
            cur.execute(
                """
                WITH ids AS (
                    SELECT discussion_id AS id, row_number() OVER (ORDER BY id) - 1 AS n
                    FROM knowledge_contribution
                    WHERE community_id = %(community)s AND id <> %(showcase)s
                ), total AS (SELECT count(*) AS k FROM ids)
                INSERT INTO knowledge_comment (discussion_id, author_id, body, body_html,
                    is_official, is_helpful, moderation_state, moderation_reason,
                     first_approval_pending, reply_count,
                        created_at)
                SELECT ids.id,
                       (%(authors)s::bigint[])[1 + (g %% cardinality(%(authors)s::bigint[]))],
                       'Comment ' || g, '<p>Comment ' || g || '</p>', false, false, 'visible',
                           '', false, 0,
                       now() - (g || ' seconds')::interval
                FROM generate_series(1, %(top)s) AS g
                CROSS JOIN total
                JOIN ids ON ids.n = g %% total.k
                """,
                {**params, "top": top},
            )
            replies = remaining - top
            cur.execute(
                """
                WITH parents AS (
                    SELECT id, discussion_id, created_at,
                           row_number() OVER (ORDER BY id) - 1 AS n
                    FROM knowledge_comment
                    WHERE parent_id IS NULL AND discussion_id IN (
                        SELECT discussion_id FROM knowledge_contribution
                        WHERE community_id = %(community)s AND id <> %(showcase)s)
                ), total AS (SELECT count(*) AS k FROM parents)
                INSERT INTO knowledge_comment (discussion_id, parent_id, author_id, body,
                    body_html, is_official, is_helpful, moderation_state, moderation_reason,
                     first_approval_pending,
                        reply_count, created_at)
                SELECT p.discussion_id, p.id,
                       (%(authors)s::bigint[])[1 + (g %% cardinality(%(authors)s::bigint[]))],
                       'Reply ' || g, '<p>Reply ' || g || '</p>', false, false, 'visible', '',
                       false, 0,
                       p.created_at + interval '1 minute'
                FROM generate_series(1, %(replies)s) AS g
                CROSS JOIN total
                JOIN parents p ON p.n = (g * 7919) %% total.k
                """,
                {**params, "replies": replies},
            )
            # Derive the denormalised counters exactly as the services keep them.
            cur.execute(
                """
                UPDATE knowledge_comment p SET reply_count = r.n
                FROM (SELECT parent_id, count(*) AS n FROM knowledge_comment
                      WHERE parent_id IS NOT NULL GROUP BY parent_id) r
                WHERE p.id = r.parent_id
                """
            )
            cur.execute(
                """
                UPDATE knowledge_contribution c SET comment_count = k.n
                FROM (SELECT discussion_id, count(*) AS n FROM knowledge_comment
                      GROUP BY discussion_id) k
                WHERE c.discussion_id = k.discussion_id AND c.community_id = %s
                """,
                [community.pk],
            )
