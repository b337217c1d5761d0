"""Read-only inspection: moderation happens on the staff pages, where every action is logged."""

from django.contrib import admin

from cocreate.readonly_admin import ReadOnlyAdmin

from .models import Appeal, Flag, ModerationAction, ModerationSettings


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "community", "kind", "actor", "subject", "reason"]
    list_filter = ["kind"]
    list_select_related = ["community", "actor", "subject"]


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "community", "reason", "status", "reporter_established"]
    list_filter = ["reason", "status"]
    list_select_related = ["community"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "status", "decided_at"]
    list_filter = ["status"]


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    list_display = ["community", "flag_threshold", "premoderate_new_members"]
