"""The ledger in the admin, read-only: every write goes through the services."""

from django.contrib import admin

from cocreate.readonly_admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Account, Entry, Hold, Transaction


class EntryInline(ReadOnlyInline):
    model = Entry
    fields = ("account", "side", "amount")


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "community", "kind", "owner", "posted", "held")
    list_filter = ("kind",)
    search_fields = ("owner__email", "community__slug")
    list_select_related = ("community", "owner")


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ("id", "community", "memo", "via", "cause", "booked_by", "created_at")
    list_filter = ("via",)
    search_fields = ("key", "memo", "cause")
    list_select_related = ("community", "booked_by")
    inlines = [EntryInline]


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ("id", "account", "amount", "status", "expires_at", "resolved_at")
    list_filter = ("status",)
    list_select_related = ("account",)
