"""The story of Trail Bike Lab (an open community), over four weeks.

Mia designs two toolkits and a scorecard and poses three challenges: one on winter riding,
now closed; one on bikepacking storage, now being evaluated; one on helmet lights, open for
three more weeks. Maya's quick-release mudguard goes all the way from submitted to shipped,
with a threaded discussion, an official response and scores; other members' ideas stop at
every other status (under review, accepted, in development, declined, a duplicate of Maya's,
one merged into another), with reasons on their timelines. Maya keeps a draft. Today Nico
joins and his first idea waits for a moderator; Milo hides a hostile comment, whose author
appeals; another comment waits in the moderation queue with an open flag.

Everything goes through the apps' services, in the order a community would live it; only
the times are the story's (``demo.timeline``).
"""

from datetime import datetime, timedelta

from django.db import transaction

from cocreate import caching
from communities import services as communities
from communities.models import Community, Membership
from knowledge import services as knowledge
from knowledge.models import Challenge, Comment, Contribution, Scorecard, Toolkit, ToolkitVersion
from moderation import services as moderation
from moderation.models import FlagReason, ModerationAction
from notifications import services as notifications

from .people import TRAIL_BIKE_LAB, Cast
from .timeline import Timeline
from .toolkits import PROBLEM_REPORT, RIDE_IDEA, design

S = Contribution.Status
PRODUCT_FIT = "Product fit"


def told(community: Community) -> bool:
    """Whether this story is in the database already (its first step made the ride toolkit)."""
    return ToolkitVersion.objects.filter(
        toolkit__community=community, title=RIDE_IDEA.title
    ).exists()


def _score(
    evaluator, idea: Contribution, scorecard: Scorecard, scores: tuple[int, int, int], note: str
) -> None:
    keys = [criterion["key"] for criterion in scorecard.criteria]
    knowledge.evaluation_submit(
        evaluator=evaluator,
        contribution=idea,
        scorecard=scorecard,
        scores=dict(zip(keys, scores, strict=True)),
        note=note,
    )


def _support(idea: Contribution, *users) -> None:
    for user in users:
        knowledge.support_add(user=user, contribution=idea)


def _close(challenge: Challenge, *, actor, phase: str, deadline: datetime) -> Challenge:
    """Move a challenge out of its open phase; its deadline is the story's, in the past."""
    challenge = knowledge.challenge_set_phase(actor=actor, challenge=challenge, phase=phase)
    # No service sets a deadline in the past: the challenge was posed with a future one (the
    # service requires it) and its deadline passed in the story.
    Challenge.objects.filter(pk=challenge.pk).update(deadline=deadline)
    challenge.deadline = deadline
    caching.changed(challenge, fields=["deadline"])
    return challenge


@transaction.atomic
def seed_trail_bike_lab(cast: Cast) -> bool:
    """Tell the story in Trail Bike Lab unless it is told already; True if it was told now.
    One transaction: a failure leaves none of it."""
    community = Community.objects.get(slug=TRAIL_BIKE_LAB)
    if told(community):
        return False
    t = Timeline(community)
    mia, milo, sam, maya = cast.mia, cast.milo, cast.sam, cast.maya
    jonas, priya, leo, rosa, ada = cast.jonas, cast.priya, cast.leo, cast.rosa, cast.ada

    def idea(author, title: str, body: str, fields: dict, **kwargs) -> Contribution:
        return knowledge.contribution_create(
            author=author,
            community=community,
            toolkit=kwargs.pop("toolkit", ride),
            title=title,
            body=body,
            fields=fields,
            **kwargs,
        )

    def move(actor, contribution: Contribution, status: str, reason: str, **kwargs):
        return knowledge.contribution_set_status(
            actor=actor, contribution=contribution, status=status, reason=reason, **kwargs
        )

    def say(author, body: str, *, contribution=None, challenge=None, **kwargs) -> Comment:
        owner = contribution or challenge
        if owner is not None:
            kwargs["discussion"] = owner.discussion
        return knowledge.comment_create(author=author, body=body, **kwargs)

    with t.at(days=28):
        ride = design(RIDE_IDEA, actor=mia, community=community)
        report = design(PROBLEM_REPORT, actor=mia, community=community)
    with t.at(days=27):
        fit = knowledge.scorecard_create(
            actor=mia,
            community=community,
            title=PRODUCT_FIT,
            criteria=[
                {"label": "Value to riders", "weight": 3},
                {"label": "Feasibility", "weight": 2},
                {"label": "Fits our range", "weight": 1},
            ],
        )
    with t.at(days=26):
        winter = knowledge.challenge_create(
            actor=mia,
            community=community,
            title="Winter riding: mud, cold and dark",
            brief=(
                "Most of you ride through the winter, and winter is hard on riders and bikes: "
                "mud everywhere, numb fingers, short days.\n\n"
                "**What would make your winter rides better?** Tell us what goes wrong and "
                "what you would change on the bike or what you carry."
            ),
            wanted="Ideas for mud, cold and darkness; the simpler the better.",
            toolkits=[ride],
            # A future deadline (the service requires it); the story's passes on day 6.
            deadline=t.now + timedelta(days=1),
            phase=Challenge.Phase.OPEN,
        )
        knowledge.follow_set(user=jonas, following=True, discussion=winter.discussion)
    with t.at(days=25):
        mudguard = idea(
            maya,
            "Quick-release mudguard you can fit without tools",
            "Every winter I fit a rear mudguard in November and take it off for the first dry "
            "weekend, and every time it takes a hex key, zip ties and twenty minutes.\n\n"
            "A mudguard that **clips onto the seat stays** with a cam lever would go on and "
            "off in seconds. I sketched one with a rubber-lined clamp so it cannot scratch "
            "the paint.",
            {
                "riding": "Commuting",
                "problem": "Fitting and removing a mudguard takes tools and twenty minutes, so "
                "I ride home soaked whenever the weather turns.",
                "parts": ["Frame", "Bags and accessories"],
                "bike": "Ridgeline 140, 2023",
                "km_per_week": 120,
                "reference": "https://example.org/sketches/quick-release-mudguard",
                "tried": True,
            },
            tags=["mud", "winter", "commuting"],
            challenge=winter,
        )
    with t.at(days=24):
        grips = idea(
            jonas,
            "Heated grips powered by the e-bike battery",
            "Below zero my fingers go numb after half an hour, even in winter gloves. The "
            "battery is right there: grips with a low and a high setting, switched from the "
            "display, would keep riding fun in January.",
            {
                "riding": "Trail",
                "problem": "Numb fingers after 30 minutes below zero, so braking gets clumsy.",
                "parts": ["Cockpit", "Lights and electronics"],
                "bike": "Ridgeline E-150, 2024",
                "km_per_week": 80,
                "tried": False,
            },
            tags=["winter", "e-bike", "comfort"],
            challenge=winter,
        )
        decals = idea(
            priya,
            "Glow-in-the-dark frame decals",
            "Decals that charge in daylight and glow at dusk would make bikes visible from "
            "the side, where lights do not reach.",
            {
                "riding": "Enduro",
                "problem": "Cars coming from the side do not see me at dusk.",
                "parts": ["Frame"],
                "tried": False,
            },
            tags=["visibility", "winter"],
            challenge=winter,
        )
    with t.at(days=23):
        _support(mudguard, jonas, priya, rosa)
        question = say(
            jonas,
            "Love this: my clip-on guard rattles loose every week. Would the clamp fit "
            "2.6 inch tyres?",
            contribution=mudguard,
        )
        say(
            maya,
            f"@{jonas.handle} it should: the clamp I sketched leaves room for 2.8 inch tyres. "
            "I can share the drawing.",
            parent=question,
        )
    with t.at(days=22):
        clip_on = idea(
            leo,
            "Clip-on mudguard without tools",
            "A rear mudguard held by two rubber straps, so it goes on and off without tools.",
            {
                "riding": "Trail",
                "problem": "Mounting a mudguard takes too long.",
                "parts": ["Frame"],
                "tried": True,
            },
            tags=["mud"],
            challenge=winter,
        )
    with t.at(days=21):
        move(
            mia,
            clip_on,
            S.DUPLICATE,
            "The same idea as Maya's quick-release mudguard, posted three days earlier: let's "
            "keep the discussion in one place. Your rubber straps are a good point to add there.",
            related_to=mudguard,
        )
        mudguard = move(
            mia,
            mudguard,
            S.UNDER_REVIEW,
            "Our frame team is checking where a clamp can sit on the seat stays.",
        )
        say(
            leo,
            "Fair enough, I missed this one. Mine used rubber straps; a cam lever is better.",
            contribution=mudguard,
        )
        _support(mudguard, leo)
        knowledge.follow_set(user=sam, following=True, discussion=mudguard.discussion)
    with t.at(days=20):
        shock = idea(
            rosa,
            "Rear shock bolt works loose on long descents",
            "After about an hour of descending, the lower shock bolt has loosened twice. I "
            "tighten it to the torque in the manual before every ride.",
            {
                "bike": "Ridgeline 140, size M, 2023",
                "when": "Descending",
                "severity": "Unsafe",
                "every_ride": False,
                "km": 2400,
                "details": "The lower shock mount bolt loosened after long descents, twice in "
                "a month. It creaks first, then there is play in the rear.",
            },
            toolkit=report,
            tags=["suspension", "safety"],
        )
        _support(shock, jonas, priya)
    with t.at(days=19):
        bikepacking = knowledge.challenge_create(
            actor=mia,
            community=community,
            title="Carry it all: bikepacking storage",
            brief=(
                "More of you go on multi-day trips. Where do you put water, food and a "
                "sleeping bag without ruining how the bike rides?"
            ),
            wanted="Ideas for bags, mounts and racks that do not rattle or sway.",
            toolkits=[ride],
            # A future deadline (the service requires it); the story's passes on day 4.
            deadline=t.now + timedelta(days=1),
            phase=Challenge.Phase.OPEN,
        )
    with t.at(days=18):
        official = say(
            mia,
            f"Thank you @{maya.handle}, and everyone who added to this. Our engineers built "
            "a prototype of the clamp and it survived 500 km of mud testing without slipping. "
            "We are taking it into the spring range: the next steps will show up on the "
            "timeline.",
            contribution=mudguard,
            official=True,
        )
        mudguard = move(
            mia,
            mudguard,
            S.ACCEPTED,
            "A prototype passed our mud test: it is in the plan for the spring range.",
        )
        grips = move(
            mia,
            grips,
            S.UNDER_REVIEW,
            "We are checking how much power the battery can spare in the cold.",
        )
        _score(mia, mudguard, fit, (5, 4, 5), "Cheap to make, fits every frame we sell.")
        _score(milo, mudguard, fit, (4, 4, 5), "Riders ask for this in every survey.")
        _score(mia, grips, fit, (4, 3, 3), "Depends on the battery budget in the cold.")
        _score(milo, decals, fit, (2, 3, 2), "Visibility matters; not sure decals deliver it.")
    with t.at(days=17):
        say(
            maya,
            f"Thank you @{mia.handle}! I would be glad to test a pre-production sample on my "
            "commute.",
            parent=official,
        )
        _support(mudguard, ada)
        _support(grips, ada, priya)
        knowledge.follow_set(user=ada, following=True, discussion=grips.discussion)
    with t.at(days=16):
        frame_bag = idea(
            rosa,
            "Frame bag shaped around the rear shock",
            "On full-suspension frames a frame bag is either tiny or hits the shock. A bag "
            "cut around the shock, with a stiff back panel, would double the space.",
            {
                "riding": "Bikepacking",
                "problem": "Frame bags either hit the shock or hold almost nothing.",
                "parts": ["Frame", "Bags and accessories"],
                "bike": "Ridgeline 140, size M, 2023",
                "km_per_week": 150,
                "tried": True,
            },
            tags=["bikepacking", "bags"],
            challenge=bikepacking,
        )
        cage = idea(
            maya,
            "Bottle cage mount under the down tube",
            "Two bolts under the down tube would carry a third bottle or a tool keg on long days.",
            {
                "riding": "Bikepacking",
                "problem": "Two bottles are not enough for a day without water on the way.",
                "parts": ["Frame"],
                "tried": False,
            },
            tags=["bikepacking", "water"],
            challenge=bikepacking,
        )
    with t.at(days=15):
        rails = idea(
            jonas,
            "Modular rails for bags on fork and frame",
            "A rail system on the fork legs and under the top tube, so bags click on and off.",
            {
                "riding": "Bikepacking",
                "problem": "Every bag straps on differently and they all sway.",
                "parts": ["Frame", "Suspension", "Bags and accessories"],
                "tried": False,
            },
            tags=["bikepacking", "bags"],
            challenge=bikepacking,
        )
        _support(frame_bag, maya, priya, jonas)
        _support(cage, rosa, jonas)
    with t.at(days=14):
        decals = move(
            mia,
            decals,
            S.UNDER_REVIEW,
            "We are testing two glow pigments on a frame in our wet lab.",
        )
        say(
            sam,
            "Thank you, Rosa: we reproduced this on two test bikes. Until the fix ships, a "
            "drop of medium thread-locker on the lower bolt stops it. We will write to every "
            "owner.",
            contribution=shock,
            official=True,
        )
        shock = move(
            sam,
            shock,
            S.UNDER_REVIEW,
            "Reproduced on two test bikes; the suspension team is testing a new bolt.",
        )
    with t.at(days=13):
        tip = say(
            priya,
            "Had the same on mine. Would a torque sticker next to the bolt help meanwhile?",
            contribution=shock,
        )
        say(rosa, f"@{priya.handle} good idea, I would have found it useful.", parent=tip)
    with t.at(days=12):
        move(
            mia,
            decals,
            S.DECLINED,
            "Neither pigment glowed for more than 40 minutes after dark, and both wore off in "
            "the mud test. Lights do this better: watch for our helmet light challenge.",
        )
        mudguard = move(
            mia,
            mudguard,
            S.IN_DEVELOPMENT,
            "Tooling for the clamp is ordered; first samples in two weeks.",
        )
        hostile = say(
            leo,
            "Honestly the worst idea on here. Who thinks stickers replace lights?",
            contribution=decals,
        )
    with t.at(days=11):
        grips = move(
            mia,
            grips,
            S.ACCEPTED,
            "The battery can spare 10 W for an hour for less than 5 km of range.",
        )
    with t.at(days=10):
        move(
            mia,
            rails,
            S.MERGED,
            "Rosa's frame bag and your rails solve the same problem, so we merged the "
            "discussion there; both of you are credited.",
            related_to=frame_bag,
        )
    with t.at(days=9):
        frame_bag = move(
            mia,
            frame_bag,
            S.UNDER_REVIEW,
            "Our soft-goods team is making patterns for three frame sizes.",
        )
        cage = move(
            mia,
            cage,
            S.ACCEPTED,
            "Simple and often asked for: the mount goes on next year's frames.",
        )
    with t.at(days=7):
        move(
            mia,
            grips,
            S.IN_DEVELOPMENT,
            "Prototype grips are being wired up for winter testing.",
        )
    with t.at(days=6):
        _close(winter, actor=mia, phase=Challenge.Phase.CLOSED, deadline=t.when(days=6))
    with t.at(days=5):
        helmet = knowledge.challenge_create(
            actor=mia,
            community=community,
            title="A helmet light riders trust",
            brief=(
                "Helmet lights go where you look, but they dazzle other riders, run flat "
                "and are fiddly with gloves. **What would make you trust yours on a night "
                "ride?**"
            ),
            wanted="Ideas on brightness, mounting, charging and control.",
            toolkits=[ride],
            deadline=t.now + timedelta(days=21),
            phase=Challenge.Phase.OPEN,
        )
        knowledge.follow_set(user=maya, following=True, discussion=helmet.discussion)
        ask = say(jonas, "Does it have to fit full-face helmets too?", challenge=helmet)
        say(
            mia,
            f"@{jonas.handle} yes: half the night riders we asked use a full-face helmet.",
            parent=ask,
            official=True,
        )
    with t.at(days=4):
        _close(bikepacking, actor=mia, phase=Challenge.Phase.EVALUATION, deadline=t.when(days=4))
        _score(mia, frame_bag, fit, (5, 3, 4), "Three sizes needed; worth it.")
        _score(milo, frame_bag, fit, (4, 3, 4), "")
        _score(mia, cage, fit, (3, 5, 5), "Two bolts; almost free.")
    with t.at(days=3):
        dimmer = idea(
            priya,
            "Helmet light that dims for oncoming riders",
            "A light sensor on the front could dim the beam when another light comes towards "
            "you, like cars do.",
            {
                "riding": "Enduro",
                "problem": "I dazzle riders coming up the trail, and they dazzle me.",
                "parts": ["Lights and electronics"],
                "reference": "https://example.org/adaptive-headlights",
                "tried": False,
            },
            tags=["lights", "night riding"],
            challenge=helmet,
        )
        usb = idea(
            leo,
            "Charging port you can open with gloves on",
            "A USB-C port under a big rubber flap you can open with winter gloves.",
            {"riding": "Trail", "problem": "The charging flap is tiny.", "tried": False},
            tags=["lights", "charging"],
            challenge=helmet,
        )
        _support(dimmer, maya, jonas)
        _support(usb, rosa)
        _score(milo, dimmer, fit, (4, 2, 4), "Promising; the sensor is the hard part.")
    with t.at(days=2):
        mudguard = move(
            mia,
            mudguard,
            S.SHIPPED,
            "In the shops from today on every Ridgeline frame, and as a retrofit kit. "
            "Thank you, Maya, and everyone who tested it!",
        )
        idea(
            maya,
            "Dropper post lever that works with winter gloves",
            "Notes so far: a bigger paddle, further from the grip.",
            {"riding": "Trail", "parts": ["Cockpit"]},
            submit=False,
        )
    with t.at(days=1):
        notifications.announcement_create(
            actor=mia,
            community=community,
            title="The quick-release mudguard is in the shops",
            body=(
                "Maya's idea from our winter challenge went from a sketch to the shops in "
                "four weeks. Thank you to everyone who discussed, supported and tested it!\n\n"
                "Our next challenge is open: **A helmet light riders trust**. Share your "
                "ideas before the deadline."
            ),
        )
        say(
            priya,
            f"Fitted mine this morning: twenty seconds, no tools. Great work! @{mia.handle} "
            "will the retrofit kit fit 2021 frames too?",
            contribution=mudguard,
        )
        off_topic = say(
            rosa,
            "Off topic, but is anyone selling a 160 mm fork? Mine just gave up.",
            contribution=grips,
        )
    _today(cast, community, ride, hostile=hostile, off_topic=off_topic)
    return True


def _today(
    cast: Cast, community: Community, ride: Toolkit, *, hostile: Comment, off_topic: Comment
) -> None:
    """What happens today: the newcomer joins and posts (his idea waits for a moderator), and
    the moderation of the week (not backdated: the moderation log is append-only)."""
    nico = cast.nico
    if not Membership.objects.filter(community=community, user=nico).exists():
        communities.membership_join(user=nico, community=community)
        community = Community.objects.get(pk=community.pk)  # the membership it now knows
        knowledge.contribution_create(
            author=nico,
            community=community,
            toolkit=ride,
            title="A sizing guide with real riders' measurements",
            body="I could not tell whether I need an M or an L. A page where riders share "
            "their height, inseam and the size they chose would have helped.",
            fields={
                "riding": "Trail",
                "problem": "Choosing a frame size online is guesswork.",
                "parts": ["Frame"],
                "tried": False,
            },
            tags=["sizing"],
        )
    moderation.flag_create(
        reporter=cast.jonas,
        reason=FlagReason.ABUSIVE,
        note="Mocks Priya rather than her idea.",
        comment=hostile,
    )
    hidden = moderation.moderation_act(
        actor=cast.milo,
        kind=ModerationAction.Kind.HIDE,
        reason="Criticise ideas, not the people who share them.",
        comment=hostile,
    )
    moderation.appeal_create(
        appellant=cast.leo,
        action=hidden,
        text="I was criticising the idea, not Priya. I can rephrase it, but please restore it.",
    )
    moderation.flag_create(
        reporter=cast.priya,
        reason=FlagReason.OFF_TOPIC,
        note="A sales request in a discussion of heated grips.",
        comment=off_topic,
    )
