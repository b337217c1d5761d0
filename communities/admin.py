"""Django admin for inspection. Changes of role and status go through the services (pages/API);
here the history is read-only so the audit trail stays honest."""

from django.contrib import admin

from .models import (
    Community,
    Invitation,
    Membership,
    MembershipChange,
    Organization,
    OrganizationStaff,
)


class OrganizationStaffInline(admin.TabularInline):
    model = OrganizationStaff
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganizationStaffInline]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "visibility", "join_policy", "member_count"]
    list_filter = ["visibility", "join_policy", "organization"]
    search_fields = ["name", "slug"]
    readonly_fields = ["member_count", "created_at", "updated_at"]
    list_select_related = ["organization"]


class MembershipChangeInline(admin.TabularInline):
    model = MembershipChange
    extra = 0
    can_delete = False
    readonly_fields = [
        "actor",
        "from_role",
        "to_role",
        "from_status",
        "to_status",
        "reason",
        "created_at",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "role", "status", "joined_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__email", "user__display_name", "community__name"]
    list_select_related = ["user", "community"]
    readonly_fields = ["community", "user", "role", "status", "joined_at", "created_at"]
    inlines = [MembershipChangeInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "community", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email", "community__name"]
    list_select_related = ["community"]
    exclude = ["token_hash"]
    readonly_fields = ["accepted_at", "accepted_by", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False
