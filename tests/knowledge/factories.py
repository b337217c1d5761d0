import factory

from knowledge import services
from knowledge.models import Kind
from moderation import services as moderation

IDEA_FIELDS = [
    {"label": "Problem", "type": "long_text", "required": True},
    {"label": "Who has it", "type": "choice", "choices": ["Riders", "Mechanics"]},
    {"label": "Prototype link", "type": "url"},
    {"label": "Would pay", "type": "yes_no"},
]


def make_toolkit(*, actor, community, fields=None, title="Share an idea"):
    return services.toolkit_create(
        actor=actor,
        community=community,
        title=title,
        kind=Kind.IDEA,
        guidance="Tell us what you see.",
        fields=IDEA_FIELDS if fields is None else fields,
    )


def make_contribution(*, author, community, toolkit, title=None, submit=True, **kwargs):
    kwargs.setdefault("fields", {"problem": "Chains squeak"})
    return services.contribution_create(
        author=author,
        community=community,
        toolkit=toolkit,
        title=title or factory.Faker._get_faker().sentence(nb_words=5),
        body=kwargs.pop("body", "Some **details**."),
        submit=submit,
        **kwargs,
    )


def moderate_every_third(moderator, i: int, **target) -> None:
    """The i-th item of a list: every third hidden, every third held for review (set the way
    moderation does), the rest left published. ``target`` is ``contribution=`` or ``comment=``."""
    if i % 3 == 1:
        moderation.moderation_act(actor=moderator, kind="hide", reason="Off-topic", **target)
    elif i % 3 == 2:
        services.content_set_moderation_state(state="pending", reason="Reported", **target)
