"""Writes of notifications, one module per job: fan-out of events into notifications, a member's
inbox, preferences and mutes, announcements, digests, impact reminders, and the email queue
(``outbound``). Import from here; the modules are how the code is organised, not a second
public surface.

Recording and delivering events is the event bus's (``events.services``); notifications is one
of its consumers (``notifications.consumers``).
"""

from .announcements import announcement_create
from .digests import digest_queue
from .fanout import (
    EMAIL_STATE_FOR,
    FANOUT_BATCH,
    fanout_batch_size,
    fanout_chunk_process,
    fanout_plan,
    notify,
    pending_fanout_chunk_ids,
    reachable,
)
from .impact import impact_reminder_send
from .inbox import notification_mark_read, notifications_mark_emailed
from .outbound import (
    outbound_cancel,
    outbound_claim,
    outbound_enqueue,
    outbound_enqueue_notifications,
    outbound_mark_failed,
    outbound_mark_sent,
    outbound_send_batch,
    outbound_send_due,
    queue_settings,
)
from .preferences import (
    community_mute_set,
    community_mutes_replace,
    preference_set,
    preferences_update,
    unsubscribe_apply,
)

__all__ = [
    "EMAIL_STATE_FOR",
    "FANOUT_BATCH",
    "announcement_create",
    "community_mute_set",
    "community_mutes_replace",
    "digest_queue",
    "fanout_batch_size",
    "fanout_chunk_process",
    "fanout_plan",
    "impact_reminder_send",
    "notification_mark_read",
    "notifications_mark_emailed",
    "notify",
    "outbound_cancel",
    "outbound_claim",
    "outbound_enqueue",
    "outbound_enqueue_notifications",
    "outbound_mark_failed",
    "outbound_mark_sent",
    "outbound_send_batch",
    "outbound_send_due",
    "pending_fanout_chunk_ids",
    "preference_set",
    "preferences_update",
    "queue_settings",
    "reachable",
    "unsubscribe_apply",
]
