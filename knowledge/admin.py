"""Django admin for inspecting knowledge: contributions with their timeline, toolkits with their
versions, challenges, comments, supports and follows. Read-only: statuses, moderation, counters
and events change only through the services (pages and API)."""

from django.contrib import admin

from cocreate.readonly_admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Challenge,
    Comment,
    Contribution,
    Discussion,
    Evaluation,
    Follow,
    KnowledgeCounts,
    Scorecard,
    StatusChange,
    Support,
    Toolkit,
    ToolkitVersion,
)


class ToolkitVersionInline(ReadOnlyInline):
    model = ToolkitVersion
    fields = ["number", "title", "created_by", "created_at"]
    ordering = ["-number"]


@admin.register(Toolkit)
class ToolkitAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "community", "kind", "is_active", "created_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["versions__title", "community__name"]
    list_select_related = ["community", "current_version"]
    inlines = [ToolkitVersionInline]


@admin.register(ToolkitVersion)
class ToolkitVersionAdmin(ReadOnlyAdmin):
    list_display = ["title", "number", "toolkit", "created_at"]
    search_fields = ["title"]
    list_select_related = ["toolkit__current_version"]


@admin.register(Challenge)
class ChallengeAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "community",
        "phase",
        "deadline",
        "contribution_count",
        "comment_count",
    ]
    list_filter = ["phase", "discussion__is_locked"]
    search_fields = ["title", "community__name"]
    list_select_related = ["community"]
    date_hierarchy = "created_at"


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fk_name = "contribution"
    fields = ["created_at", "actor", "from_status", "to_status", "reason"]
    show_change_link = False


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "community",
        "author",
        "kind",
        "status",
        "moderation_state",
        "support_count",
        "comment_count",
        "submitted_at",
    ]
    list_filter = ["status", "moderation_state", "kind", "discussion__is_locked"]
    search_fields = ["title", "author__email", "author__display_name", "community__name"]
    list_select_related = ["community", "author"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # no COUNT(*) over a large table on every page
    inlines = [StatusChangeInline]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "author",
        "discussion",
        "is_official",
        "moderation_state",
        "created_at",
    ]
    list_filter = ["is_official", "is_helpful", "moderation_state"]
    search_fields = ["body", "author__email", "author__display_name"]
    list_select_related = ["author", "discussion"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Support)
class SupportAdmin(ReadOnlyAdmin):
    list_display = ["user", "contribution", "created_at"]
    search_fields = ["user__email", "contribution__title"]
    list_select_related = ["user", "contribution"]
    show_full_result_count = False


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ["user", "discussion", "created_at"]
    search_fields = [
        "user__email",
        "discussion__contribution__title",
        "discussion__challenge__title",
    ]
    list_select_related = ["user", "discussion"]
    show_full_result_count = False


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = ["title", "community", "challenge", "created_at"]
    list_select_related = ["community", "challenge"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["contribution", "scorecard", "evaluator", "weighted_score", "updated_at"]
    list_select_related = ["contribution", "scorecard", "evaluator"]


@admin.register(Discussion)
class DiscussionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "community", "is_locked", "created_at"]
    list_filter = ["is_locked"]
    list_select_related = ["community"]
    show_full_result_count = False


@admin.register(KnowledgeCounts)
class KnowledgeCountsAdmin(ReadOnlyAdmin):
    """The counts database triggers keep per community (read-only, like everything here)."""

    list_display = ["community", "ideas", "shipped"]
    list_select_related = ["community"]
    search_fields = ["community__name"]
