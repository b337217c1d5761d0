"""Moderation shows on community pages (notices, reasons, "you reported this", the standing
of a member): a flag, an action or an appeal makes the community's and the people's cached
pages stale. Flags settled in bulk by ``services`` go through ``caching.changed``."""

from cocreate.caching import generations, invalidates

from .models import Appeal, Flag, ModerationAction


@invalidates(Flag)
def _flag(flag: Flag, fields) -> list[str]:
    return [*generations.community_wide(flag.community_id), generations.user(flag.reporter_id)]


@invalidates(ModerationAction)
def _action(action: ModerationAction, fields) -> list[str]:
    return [
        *generations.community_wide(action.community_id),
        *(generations.user(uid) for uid in (action.actor_id, action.subject_id) if uid),
    ]


@invalidates(Appeal)
def _appeal(appeal: Appeal, fields) -> list[str]:
    community_id = (
        ModerationAction.objects.filter(pk=appeal.action_id)
        .values_list("community_id", flat=True)
        .first()
    )
    return [
        *(generations.community_wide(community_id) if community_id is not None else ()),
        generations.user(appeal.appellant_id),
    ]
