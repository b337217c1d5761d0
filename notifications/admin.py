"""Django admin for inspecting notifications: what reached whom (and whether it was emailed),
members' preferences and mutes, announcements, fan-out progress and the email queue (what is
due, stuck, sent or failed, with attempts and the last error). Read-only: notifications are
made by the event consumer and changed by their recipients; emails are sent by the queue."""

from django.contrib import admin

from cocreate.readonly_admin import ReadOnlyAdmin

from .models import (
    Announcement,
    CommunityMute,
    FanoutChunk,
    Notification,
    OutboundEmail,
    Preference,
)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "text", "read_at", "email_state"]
    list_filter = ["kind", "email_state"]
    search_fields = ["recipient__email", "recipient__display_name", "text"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # no COUNT(*) over a large table on every page


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "topic", "channel"]
    list_filter = ["topic", "channel"]
    search_fields = ["user__email"]
    list_select_related = ["user"]


@admin.register(CommunityMute)
class CommunityMuteAdmin(ReadOnlyAdmin):
    list_display = ["user", "community_id", "created_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdmin):
    list_display = ["title", "community_id", "author", "created_at"]
    search_fields = ["title", "body"]
    list_select_related = ["author"]
    date_hierarchy = "created_at"


@admin.register(FanoutChunk)
class FanoutChunkAdmin(ReadOnlyAdmin):
    list_display = ["event", "after_user_id", "upto_user_id", "queued_at", "done_at", "attempts"]
    list_filter = ["done_at"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "recipient",
        "kind",
        "state",
        "attempts",
        "lease_until",
        "sent_at",
        "period_key",
    ]
    list_filter = ["state", "kind"]
    search_fields = ["recipient__email", "period_key", "last_error"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "notification"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # no COUNT(*) over a large table on every page
