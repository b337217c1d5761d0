import factory

from knowledge import services
from knowledge.models import Kind

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
