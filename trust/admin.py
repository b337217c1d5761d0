"""Read-only inspection: purposes are defined, consent answered and uses recorded on the pages
and the API, through the services (the events and uses are append-only)."""

from django.contrib import admin

from cocreate.readonly_admin import ReadOnlyAdmin

from .models import (
    ConsentEvent,
    ConsentPurpose,
    ConsentState,
    ContributionRestriction,
    DataExport,
    Erasure,
    PurposeVersion,
    RestrictionEvent,
    UsageRecord,
    UsageRefusal,
)


@admin.register(ConsentPurpose)
class ConsentPurposeAdmin(ReadOnlyAdmin):
    list_display = ["key", "community", "kind", "required", "current_version", "archived_at"]
    list_filter = ["kind", "required"]
    list_select_related = ["community", "current_version"]


@admin.register(PurposeVersion)
class PurposeVersionAdmin(ReadOnlyAdmin):
    list_display = ["purpose", "number", "title", "published_at", "text_sha256"]
    list_select_related = ["purpose"]


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "purpose", "version", "action", "channel"]
    list_filter = ["action", "channel"]
    list_select_related = ["user", "purpose", "version__purpose"]


@admin.register(ConsentState)
class ConsentStateAdmin(ReadOnlyAdmin):
    list_display = ["user", "purpose", "version", "granted", "since"]
    list_filter = ["granted"]
    list_select_related = ["user", "purpose", "version__purpose"]


@admin.register(ContributionRestriction)
class ContributionRestrictionAdmin(ReadOnlyAdmin):
    list_display = ["contribution", "purpose", "active", "changed_at"]
    list_select_related = ["contribution", "purpose"]


@admin.register(RestrictionEvent)
class RestrictionEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "contribution", "purpose", "action", "by"]
    list_select_related = ["contribution", "purpose", "by"]


@admin.register(UsageRecord)
class UsageRecordAdmin(ReadOnlyAdmin):
    list_display = ["recorded_at", "contribution", "purpose", "version", "what", "recorded_by"]
    list_select_related = ["contribution", "purpose", "version__purpose", "recorded_by"]


@admin.register(UsageRefusal)
class UsageRefusalAdmin(ReadOnlyAdmin):
    list_display = ["at", "contribution", "purpose", "reason", "attempted_by"]
    list_filter = ["reason"]
    list_select_related = ["contribution", "purpose", "attempted_by"]


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyAdmin):
    list_display = ("user", "status", "done", "total", "requested_at", "ready_at", "expires_at")
    list_filter = ("status",)
    list_select_related = ("user",)
    exclude = ("id", "file_name")
    readonly_fields = ("user", "status", "done", "total", "started_at", "ready_at", "size", "error")


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdmin):
    list_display = ("pseudonym", "erased_at")
    list_select_related = ("user",)
