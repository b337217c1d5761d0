"""Load demo data so the embedded run never shows an empty site. Safe to run twice."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create
from communities import services
from communities.models import Community, Membership, Organization

DEMO_MEMBERSHIP_AGE_DAYS = 30
DEMO_PASSWORD = "cocreate-demo"  # noqa: S105 - printed on purpose: demo accounts only

PEOPLE = [
    ("admin@demo.cocreate.test", "Ada Admin", "admin"),
    ("staff@demo.cocreate.test", "Sam Staff", "staff"),
    ("manager@demo.cocreate.test", "Mia Manager", "manager"),
    ("moderator@demo.cocreate.test", "Milo Moderator", "moderator"),
    ("member@demo.cocreate.test", "Maya Member", "member"),
    ("newcomer@demo.cocreate.test", "Nico Newcomer", "none"),
]

COMMUNITIES = [
    (
        "Trail Bike Lab",
        "Riders and engineers improving tomorrow's trail bikes together.",
        Community.Visibility.PUBLIC,
        Community.JoinPolicy.OPEN,
        "",
    ),
    (
        "Home Audio Insiders",
        "Audiophiles shaping the next generation of home speakers.",
        Community.Visibility.PUBLIC,
        Community.JoinPolicy.REQUEST,
        "What do you listen on today, and what would you change about it?",
    ),
    (
        "Kitchen Prototype Circle",
        "An invited group testing early kitchen appliance prototypes under NDA.",
        Community.Visibility.PRIVATE,
        Community.JoinPolicy.INVITATION,
        "",
    ),
    (
        "Accessibility Council",
        "People with lived experience advising on accessible product design.",
        Community.Visibility.PUBLIC,
        Community.JoinPolicy.INVITATION,
        "",
    ),
]


class Command(BaseCommand):
    help = "Create a demo organisation, communities and accounts (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        if Organization.objects.filter(slug="northwind").exists():
            self.stdout.write("Demo data already present.")
            self._print_accounts()
            return
        people = {}
        for email, name, role in PEOPLE:
            people[role] = user_create(
                email=email,
                password=DEMO_PASSWORD,
                display_name=name,
                email_verified=True,
                is_superuser=role == "admin",
            )
        org = services.organization_create(
            name="Northwind Outdoor & Home",
            slug="northwind",
            description="A demo firm that co-creates its products with its customers.",
        )
        services.organization_add_staff(organization=org, user=people["staff"])
        for name, tagline, visibility, policy, question in COMMUNITIES:
            community = services.community_create(
                actor=people["staff"],
                organization=org,
                name=name,
                tagline=tagline,
                description=tagline
                + "\n\nShare what you know, discuss it with others and with our team, "
                "and see what becomes of it.",
                visibility=visibility,
                join_policy=policy,
                application_question=question,
            )
            self._add(community, people["manager"], "manager", people["staff"])
            self._add(community, people["moderator"], "moderator", people["staff"])
            if policy != Community.JoinPolicy.INVITATION:
                self._add(community, people["member"], "member", people["staff"])
        self.stdout.write(self.style.SUCCESS("Demo data created."))
        self._print_accounts()

    def _add(self, community: Community, user: User, role: str, staff: User) -> None:
        services.membership_grant(actor=staff, community=community, user=user, role=role)
        # Demo members have belonged for a while, so they are established (not pre-moderated,
        # usual rate limits); the newcomer who joins later shows what new members get.
        Membership.objects.filter(community=community, user=user).update(
            joined_at=timezone.now() - timedelta(days=DEMO_MEMBERSHIP_AGE_DAYS)
        )

    def _print_accounts(self) -> None:
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, name, role in PEOPLE:
            self.stdout.write(f"  {role:<10} {email:<32} {name}")
