"""The demo communities' toolkits: contribution templates with typed fields of every type
(short and long text, choice, multiple choice, number, web address, yes/no)."""

from dataclasses import dataclass

from accounts.models import User
from communities.models import Community
from knowledge import services
from knowledge.models import FieldType, Kind, Toolkit

F = FieldType


@dataclass(frozen=True)
class ToolkitSpec:
    title: str
    kind: str
    guidance: str
    fields: list[dict]


def design(spec: ToolkitSpec, *, actor: User, community: Community) -> Toolkit:
    """The manager ``actor`` creates the toolkit ``spec`` describes (its first version)."""
    return services.toolkit_create(
        actor=actor,
        community=community,
        title=spec.title,
        kind=spec.kind,
        guidance=spec.guidance,
        fields=spec.fields,
    )


RIDE_IDEA = ToolkitSpec(
    title="Share a ride idea",
    kind=Kind.IDEA,
    guidance=(
        "Start from what happens on your rides: the problem first, then your idea. "
        "Sketches, photos and links to parts you have tried help our engineers most."
    ),
    fields=[
        {
            "key": "riding",
            "label": "Where do you ride most?",
            "type": F.CHOICE,
            "required": True,
            "choices": ["Cross-country", "Trail", "Enduro", "Downhill", "Commuting", "Bikepacking"],
        },
        {
            "key": "problem",
            "label": "What gets in your way today?",
            "type": F.LONG_TEXT,
            "required": True,
            "help": "The situation, not the solution: when does it happen, what does it cost you?",
        },
        {
            "key": "parts",
            "label": "Which parts of the bike does it touch?",
            "type": F.MULTIPLE_CHOICE,
            "choices": [
                "Frame",
                "Suspension",
                "Drivetrain",
                "Brakes",
                "Wheels and tyres",
                "Cockpit",
                "Bags and accessories",
                "Lights and electronics",
            ],
        },
        {"key": "bike", "label": "Your bike (make, model, year)", "type": F.SHORT_TEXT},
        {"key": "km_per_week", "label": "Kilometres you ride a week", "type": F.NUMBER},
        {
            "key": "reference",
            "label": "A photo, video or product page that shows it",
            "type": F.URL,
        },
        {
            "key": "tried",
            "label": "Have you built or tried a version of it yourself?",
            "type": F.YES_NO,
        },
    ],
)

PROBLEM_REPORT = ToolkitSpec(
    title="Report a problem on the trail",
    kind=Kind.PROBLEM,
    guidance=(
        "Something on your bike broke, wore out or worked loose? Tell us when and how: every "
        "report goes to the engineers who designed that part."
    ),
    fields=[
        {"key": "bike", "label": "Bike, size and year", "type": F.SHORT_TEXT, "required": True},
        {
            "key": "when",
            "label": "When does it happen?",
            "type": F.CHOICE,
            "required": True,
            "choices": ["Climbing", "Descending", "On flat ground", "Standing in the workshop"],
        },
        {
            "key": "severity",
            "label": "How bad is it?",
            "type": F.CHOICE,
            "required": True,
            "choices": ["Annoying", "Slows me down", "Unsafe"],
        },
        {"key": "every_ride", "label": "Does it happen on every ride?", "type": F.YES_NO},
        {"key": "km", "label": "Kilometres on the bike when it started", "type": F.NUMBER},
        {"key": "details", "label": "What happened", "type": F.LONG_TEXT, "required": True},
    ],
)

LISTENING_REPORT = ToolkitSpec(
    title="Share a listening idea",
    kind=Kind.FEEDBACK,
    guidance=(
        "Tell us how and where you listen, and what you would change. We read every idea "
        "before we draw the next speaker."
    ),
    fields=[
        {
            "key": "room",
            "label": "How big is the room you listen in?",
            "type": F.CHOICE,
            "required": True,
            "choices": ["Under 15 m²", "15 to 30 m²", "Over 30 m²"],
        },
        {"key": "speakers", "label": "What do you listen on today?", "type": F.SHORT_TEXT},
        {
            "key": "sources",
            "label": "What do you play?",
            "type": F.MULTIPLE_CHOICE,
            "choices": ["Vinyl", "Streaming", "CD", "Radio", "TV and film"],
        },
        {"key": "hours", "label": "Hours of listening a week", "type": F.NUMBER},
        {
            "key": "change",
            "label": "What would you change?",
            "type": F.LONG_TEXT,
            "required": True,
        },
        {"key": "pay_more", "label": "Would you pay more for it?", "type": F.YES_NO},
        {"key": "link", "label": "A link that helps explain it", "type": F.URL},
    ],
)
