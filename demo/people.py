"""The demo's people, firm and communities, and who belongs where.

``seed_people`` creates whatever of them is missing (so a database with an older, smaller demo
gets the new members) and never changes what exists.
"""

from dataclasses import dataclass, fields
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from accounts.services import user_create
from cocreate import caching
from communities import services
from communities.models import Community, Membership, Organization

DEMO_PASSWORD = "cocreate-demo"  # noqa: S105 - printed on purpose: demo accounts only
# Demo members have belonged for a while, so they are established (not pre-moderated, usual
# rate limits); the newcomer, who joins as the story ends, shows what new members get.
DEMO_MEMBERSHIP_AGE_DAYS = 45
DEMO_COMMUNITY_AGE_DAYS = 60
ORGANIZATION_SLUG = "northwind"


@dataclass(frozen=True)
class Person:
    key: str
    email: str
    name: str
    label: str  # the role shown in the printed account list


PEOPLE = [
    Person("ada", "admin@demo.cocreate.test", "Ada Admin", "admin"),
    Person("sam", "staff@demo.cocreate.test", "Sam Staff", "staff"),
    Person("mia", "manager@demo.cocreate.test", "Mia Manager", "manager"),
    Person("milo", "moderator@demo.cocreate.test", "Milo Moderator", "moderator"),
    Person("maya", "member@demo.cocreate.test", "Maya Member", "member"),
    Person("nico", "newcomer@demo.cocreate.test", "Nico Newcomer", "newcomer"),
    Person("jonas", "jonas@demo.cocreate.test", "Jonas Berg", "member"),
    Person("priya", "priya@demo.cocreate.test", "Priya Nair", "member"),
    Person("leo", "leo@demo.cocreate.test", "Leo Duarte", "member"),
    Person("rosa", "rosa@demo.cocreate.test", "Rosa Lindqvist", "member"),
    Person("hana", "hana@demo.cocreate.test", "Hana Sato", "member"),
]


@dataclass(frozen=True)
class Cast:
    """The demo's people, by the part each plays in the story."""

    ada: User  # platform admin, who also rides
    sam: User  # the firm's staff; created the communities, so manages each
    mia: User  # manages every community
    milo: User  # moderates every community
    maya: User  # the member whose ideas the story follows
    nico: User  # the newcomer: joins Trail Bike Lab as the story ends, asks to join Home Audio
    jonas: User
    priya: User
    leo: User
    rosa: User
    hana: User


TRAIL_BIKE_LAB = slugify("Trail Bike Lab")
HOME_AUDIO = slugify("Home Audio Insiders")

ABOUT = (
    "\n\nShare what you know, discuss it with others and with our team, and see what becomes of it."
)
COMMUNITIES = [
    (
        "Trail Bike Lab",
        "Riders and engineers improving tomorrow's trail bikes together.",
        "Northwind's frame, suspension and accessories engineers work here with the people "
        "who ride their bikes: commuters, racers and bikepackers." + ABOUT,
        Community.Visibility.PUBLIC,
        Community.JoinPolicy.OPEN,
        "",
    ),
    (
        "Home Audio Insiders",
        "Audiophiles shaping the next generation of home speakers.",
        "A small circle of listeners who test early designs and tell our acoustics team what "
        "they hear. A manager reads every request to join." + ABOUT,
        Community.Visibility.PUBLIC,
        Community.JoinPolicy.REQUEST,
        "What do you listen on today, and what would you change about it?",
    ),
    (
        "Kitchen Prototype Circle",
        "An invited group testing early kitchen appliance prototypes under NDA.",
        "Members receive prototypes at home and report back before anything is announced." + ABOUT,
        Community.Visibility.PRIVATE,
        Community.JoinPolicy.INVITATION,
        "",
    ),
    (
        "Accessibility Council",
        "People with lived experience advising on accessible product design.",
        "Council members review products and packaging before launch, and their advice "
        "decides what changes." + ABOUT,
        Community.Visibility.PUBLIC,
        Community.JoinPolicy.INVITATION,
        "",
    ),
]

M = Membership.Role
STAFFING: list[tuple[str, str]] = [("mia", M.MANAGER), ("milo", M.MODERATOR)]
# Who belongs where, besides Sam (the creator, so a manager of each).
MEMBERS: dict[str, list[tuple[str, str]]] = {
    TRAIL_BIKE_LAB: [
        *STAFFING,
        ("maya", M.MEMBER),
        ("ada", M.MEMBER),  # platform admins may take part as ordinary members
        ("jonas", M.MEMBER),
        ("priya", M.MEMBER),
        ("leo", M.MEMBER),
        ("rosa", M.MEMBER),
    ],
    HOME_AUDIO: [*STAFFING, ("maya", M.MEMBER), ("hana", M.MEMBER), ("jonas", M.MEMBER)],
    slugify("Kitchen Prototype Circle"): STAFFING,
    slugify("Accessibility Council"): STAFFING,
}


@dataclass
class Seeded:
    """What ``seed_people`` found and what it had to add."""

    cast: Cast
    added: list[str]


@transaction.atomic
def seed_people() -> Seeded:
    """The demo's accounts, firm, communities and memberships: each created if missing, none
    changed if present. One transaction: a failure leaves none of what was missing."""
    added: list[str] = []
    users = {}
    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = user_create(
                email=person.email,
                password=DEMO_PASSWORD,
                display_name=person.name,
                email_verified=True,
                is_superuser=person.key == "ada",
            )
            added.append(f"account {person.email}")
        users[person.key] = user
    cast = Cast(**{f.name: users[f.name] for f in fields(Cast)})
    organization = Organization.objects.filter(slug=ORGANIZATION_SLUG).first()
    if organization is None:
        organization = services.organization_create(
            name="Northwind Outdoor & Home",
            slug=ORGANIZATION_SLUG,
            description="A demo firm that co-creates its products with its customers.",
        )
        services.organization_add_staff(organization=organization, user=cast.sam)
        added.append("organisation Northwind Outdoor & Home")
    for name, tagline, description, visibility, policy, question in COMMUNITIES:
        community = Community.objects.filter(slug=slugify(name)).first()
        if community is None:
            community = services.community_create(
                actor=cast.sam,
                organization=organization,
                name=name,
                tagline=tagline,
                description=description,
                visibility=visibility,
                join_policy=policy,
                application_question=question,
            )
            _founded_before_the_story(community, cast.sam)
            added.append(f"community {name}")
        for key, role in MEMBERS[community.slug]:
            if _add_member(community, users[key], role, cast.sam):
                added.append(f"{users[key].display_name} in {name}")
    return Seeded(cast=cast, added=added)


def _founded_before_the_story(community: Community, founder: User) -> None:
    """The community (and its founder's membership) began before its members joined."""
    founded = timezone.now() - timedelta(days=DEMO_COMMUNITY_AGE_DAYS)
    # No service backdates a community: the demo's were founded weeks before the story.
    Community.objects.filter(pk=community.pk).update(created_at=founded)
    community.created_at = founded
    Membership.objects.filter(community=community, user=founder).update(joined_at=founded)
    caching.changed(community, fields=["created_at"])
    caching.changed(Membership(community=community, user=founder), fields=["joined_at"])


def _add_member(community: Community, user: User, role: str, staff: User) -> bool:
    """Make ``user`` an established member with ``role``, unless they already have a place in
    the community (whatever it is now: the seed never undoes what someone did since)."""
    if Membership.objects.filter(community=community, user=user).exists():
        return False
    membership = services.membership_grant(actor=staff, community=community, user=user, role=role)
    # No service backdates a membership: the demo's members joined weeks before the story.
    Membership.objects.filter(pk=membership.pk).update(
        joined_at=timezone.now() - timedelta(days=DEMO_MEMBERSHIP_AGE_DAYS)
    )
    caching.changed(membership, fields=["joined_at"])
    return True
