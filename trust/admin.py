"""Data exports and erasures in the admin, to look at (operators: a stuck or failed build, its
error). The export's token is not shown in the list: it is the download link's secret."""

from django.contrib import admin

from cocreate.readonly_admin import ReadOnlyAdmin

from .models import DataExport, Erasure


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
