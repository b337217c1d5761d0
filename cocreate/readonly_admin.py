"""Read-only Django admin classes: the admin is for inspection; every write goes through the
apps' services (pages and API), which check permissions, keep counters exact and record events."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """A changelist and detail view to look at, with no add, change or delete."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Related rows shown under their parent, read-only."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
