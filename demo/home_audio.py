"""The story of Home Audio Insiders (join by request), over three weeks, smaller than Trail
Bike Lab's: a toolkit, an open challenge on small rooms, two ideas with a discussion, supports
and an official response from the firm's staff; today Nico asks to join, answering the
community's question, and his request waits for a manager."""

from datetime import timedelta

from django.db import transaction

from communities import services as communities
from communities.models import Community, Membership
from knowledge import services as knowledge
from knowledge.models import Challenge, Contribution, ToolkitVersion

from .people import HOME_AUDIO, Cast
from .timeline import Timeline
from .toolkits import LISTENING_REPORT, design

S = Contribution.Status
NICO_ANSWER = (
    "A pair of twenty-year-old bookshelf speakers and a turntable. I would like them to sound "
    "as good quietly, late at night, as they do loud."
)


def told(community: Community) -> bool:
    """Whether this story is in the database already (its first step made the toolkit)."""
    return ToolkitVersion.objects.filter(
        toolkit__community=community, title=LISTENING_REPORT.title
    ).exists()


@transaction.atomic
def seed_home_audio(cast: Cast) -> bool:
    """Tell the story in Home Audio Insiders unless it is told already; True if it was told
    now. One transaction: a failure leaves none of it."""
    community = Community.objects.get(slug=HOME_AUDIO)
    if told(community):
        return False
    t = Timeline(community)
    with t.at(days=20):
        listening = design(LISTENING_REPORT, actor=cast.mia, community=community)
    with t.at(days=18):
        small_rooms = knowledge.challenge_create(
            actor=cast.sam,
            community=community,
            title="Great sound in a small flat",
            brief=(
                "Most of you listen in rooms under 30 m², often with neighbours on the other "
                "side of the wall. **What would make a speaker great in a small flat?**"
            ),
            wanted="Ideas on size, placement, bass and listening quietly.",
            toolkits=[listening],
            deadline=t.now + timedelta(days=30),
            phase=Challenge.Phase.OPEN,
        )
    with t.at(days=15):
        shelf = knowledge.contribution_create(
            author=cast.hana,
            community=community,
            toolkit=listening,
            title="A speaker that doubles as a wall shelf",
            body="In a small flat every surface counts. A shallow speaker that hangs on the "
            "wall and carries a few records on top would free a whole sideboard.",
            fields={
                "room": "Under 15 m²",
                "speakers": "A soundbar on a sideboard",
                "sources": ["Vinyl", "Streaming"],
                "hours": 10,
                "change": "Speakers take the floor space I do not have.",
                "pay_more": True,
            },
            tags=["small rooms", "design"],
            challenge=small_rooms,
        )
    with t.at(days=14):
        calibration = knowledge.contribution_create(
            author=cast.maya,
            community=community,
            toolkit=listening,
            title="Room calibration with your phone's microphone",
            body="Play a sweep, hold up the phone at your seat, and let the speaker correct "
            "the room's boom, instead of guessing where to put it.",
            fields={
                "room": "15 to 30 m²",
                "speakers": "Bookshelf speakers and a small amplifier",
                "sources": ["Streaming", "CD"],
                "hours": 6,
                "change": "Bass booms in one corner of my living room and vanishes in another.",
                "pay_more": True,
                "link": "https://example.org/room-correction-explained",
            },
            tags=["small rooms", "bass"],
            challenge=small_rooms,
        )
    with t.at(days=13):
        for user in (cast.jonas, cast.maya):
            knowledge.support_add(user=user, contribution=shelf)
        for user in (cast.jonas, cast.hana):
            knowledge.support_add(user=user, contribution=calibration)
        question = knowledge.comment_create(
            author=cast.maya,
            discussion=shelf.discussion,
            body=f"@{cast.hana.handle} lovely idea. Would the shelf not make the records vibrate?",
        )
        knowledge.comment_create(
            author=cast.hana,
            parent=question,
            body="A felt mat and a cabinet braced behind it should keep them still.",
        )
    with t.at(days=10):
        knowledge.comment_create(
            author=cast.sam,
            discussion=calibration.discussion,
            official=True,
            body="Our acoustics team has a phone calibration working in the lab, and it "
            "halves the bass peaks in the rooms we tried. We are looking at it for the next "
            "speaker.",
        )
        calibration = knowledge.contribution_set_status(
            actor=cast.sam,
            contribution=calibration,
            status=S.UNDER_REVIEW,
            reason="Testing a prototype in three living rooms.",
        )
    with t.at(days=6):
        knowledge.contribution_set_status(
            actor=cast.sam,
            contribution=calibration,
            status=S.ACCEPTED,
            reason="It worked in all three rooms: it goes into the next speaker.",
        )
    with t.at(days=5):
        knowledge.contribution_set_status(
            actor=cast.mia,
            contribution=shelf,
            status=S.UNDER_REVIEW,
            reason="Our designers are checking how deep a shelf speaker must be.",
        )
    # Today: the newcomer asks to join; his request waits for a manager.
    if not Membership.objects.filter(community=community, user=cast.nico).exists():
        communities.membership_join(user=cast.nico, community=community, answer=NICO_ANSWER)
    return True
