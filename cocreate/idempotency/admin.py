from django.contrib import admin

from cocreate.readonly_admin import ReadOnlyAdmin

from .models import FormSubmission, IdempotencyKey


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "owner",
        "key",
        "method",
        "path",
        "state",
        "response_status",
        "created_at",
    ]
    list_filter = ["state", "method"]
    search_fields = ["owner", "key", "path"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in IdempotencyKey._meta.fields if f.name != "response_body"] + [
        "response_preview"
    ]
    exclude = ["response_body"]

    @admin.display(description="response body")
    def response_preview(self, obj: IdempotencyKey) -> str:
        body = bytes(obj.response_body or b"")
        return body[:2000].decode("utf-8", errors="replace")


@admin.register(FormSubmission)
class FormSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "token", "url", "created_at"]
    list_select_related = ["user"]
    search_fields = ["token", "url"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in FormSubmission._meta.fields]
