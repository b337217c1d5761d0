"""Moderation shows on community pages (notices, reasons, "you reported this", the standing
of a member): a flag, an action or an appeal makes the community's and the people's cached
pages stale. Flags are updated in bulk by ``services`` which bumps the same scopes."""

from cocreate import generations

from .models import Appeal, Flag, ModerationAction


def _flag(sender, instance: Flag, **kwargs) -> None:
    generations.bump(
        *generations.community_wide(instance.community_id), generations.user(instance.reporter_id)
    )


def _action(sender, instance: ModerationAction, **kwargs) -> None:
    generations.bump(
        *generations.community_wide(instance.community_id),
        *(generations.user(uid) for uid in (instance.actor_id, instance.subject_id) if uid),
    )


def _appeal(sender, instance: Appeal, **kwargs) -> None:
    community_id = (
        ModerationAction.objects.filter(pk=instance.action_id)
        .values_list("community_id", flat=True)
        .first()
    )
    generations.bump(
        *(generations.community_wide(community_id) if community_id is not None else ()),
        generations.user(instance.appellant_id),
    )


def connect() -> None:
    generations.on_change(((Flag, _flag), (ModerationAction, _action), (Appeal, _appeal)))
