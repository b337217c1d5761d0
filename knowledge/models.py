"""Knowledge in a community: toolkits (versioned contribution templates), challenges,
contributions with a status lifecycle, threaded dialogue, supports and follows."""

from typing import cast

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cocreate.dates import displayable_date
from cocreate.links import link
from communities.models import Community

USER = settings.AUTH_USER_MODEL


class Kind(models.TextChoices):
    IDEA = "idea", _("Idea")
    INSIGHT = "insight", _("Insight")
    PROBLEM = "problem", _("Problem report")
    DESIGN = "design", _("Design")
    FEEDBACK = "feedback", _("Feedback")
    OTHER = "other", _("Other")


class FieldType(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    CHOICE = "choice", _("Choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    NUMBER = "number", _("Number")
    URL = "url", _("Web address")
    YES_NO = "yes_no", _("Yes / no")


class ModerationState(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    PENDING = "pending", _("Waiting for a moderator")
    HIDDEN = "hidden", _("Hidden by a moderator")


class Toolkit(models.Model):
    """A contribution template a community's managers design. Its fields live in versions:
    editing adds a version, and each contribution keeps the version it was written with."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="toolkits", verbose_name=_("community")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.IDEA)
    custom_kind = models.CharField(
        _("own kind name"), max_length=40, blank=True, help_text=_("Used when kind is 'other'.")
    )
    is_active = models.BooleanField(_("accepting contributions"), default=True)
    current_version = models.ForeignKey(
        "ToolkitVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("toolkit")
        verbose_name_plural = _("toolkits")

    def __str__(self) -> str:
        version = self.current_version
        return version.title if version is not None else f"Toolkit {self.pk}"

    @property
    def kind_label(self) -> str:
        return (
            self.custom_kind
            if self.kind == Kind.OTHER and self.custom_kind
            else self.get_kind_display()
        )


class ToolkitVersion(models.Model):
    """One immutable version of a toolkit: title, guidance and the typed fields.

    ``fields`` is a list of {"key", "label", "type", "required", "help", "choices"}.
    """

    toolkit = models.ForeignKey(
        Toolkit, on_delete=models.CASCADE, related_name="versions", verbose_name=_("toolkit")
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=120)
    guidance = models.TextField(_("guidance"), max_length=5000, blank=True)
    fields = models.JSONField(_("fields"), default=list)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["toolkit_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["toolkit", "number"], name="uniq_toolkit_version")
        ]
        verbose_name = _("toolkit version")
        verbose_name_plural = _("toolkit versions")

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class Discussion(models.Model):
    """The thread a contribution or a challenge owns (each exactly one, through its NOT NULL
    ``discussion``): comments and follows hang here, whoever the owner is, and so does the
    thread's own state (locked or open). The owner's counters (``comment_count``) stay on the
    owner, where the lists read and sort by them."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="discussions", verbose_name=_("community")
    )
    is_locked = models.BooleanField(_("discussion locked"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    # The reverse one-to-one accessors of the owners, in the order ``owner`` tries them.
    OWNERS = ("contribution", "challenge")

    class Meta:
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")

    def __str__(self) -> str:
        return f"discussion #{self.pk}"

    def loaded_owner(self) -> "Contribution | Challenge | None":
        """The owner if it is already loaded (reached from it, as ``contribution.discussion``,
        or with ``select_related("discussion__contribution", "discussion__challenge")``),
        else None; never a query."""
        for name in self.OWNERS:
            relation = cast(models.ForeignObjectRel, self._meta.get_field(name))
            if relation.is_cached(self):
                found = relation.get_cached_value(self)
                if found is not None:
                    return cast("Contribution | Challenge", found)
        return None

    @property
    def owner(self) -> "Contribution | Challenge":
        """The contribution or challenge whose thread this is: no query when it is loaded
        (``loaded_owner``), else looked up."""
        found = self.loaded_owner()
        if found is not None:
            return found
        for name in self.OWNERS:
            try:
                return getattr(self, name)
            except ObjectDoesNotExist:
                continue
        raise ObjectDoesNotExist(f"discussion #{self.pk} has no owner")


class Challenge(models.Model):
    """A brief the firm poses to a community, open for contributions until its deadline."""

    class Phase(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for contributions")
        EVALUATION = "evaluation", _("Evaluation")
        CLOSED = "closed", _("Closed")

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="challenges", verbose_name=_("community")
    )
    title = models.CharField(_("title"), max_length=160)
    brief = models.TextField(_("problem statement"), max_length=20000)
    brief_html = models.TextField(editable=False, blank=True)
    wanted = models.CharField(_("what contributions we want"), max_length=500, blank=True)
    toolkits = models.ManyToManyField(Toolkit, related_name="challenges", blank=True)
    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices, default=Phase.DRAFT)
    deadline = models.DateTimeField(
        _("deadline"), null=True, blank=True, validators=[displayable_date]
    )
    contribution_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    # RESTRICT: a thread is never deleted from under its owner; the owner's deletion takes the
    # thread along (``_delete_thread``), and a community's deletion both.
    discussion = models.OneToOneField(
        Discussion, on_delete=models.RESTRICT, related_name="challenge", editable=False
    )
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return link("knowledge:challenge", slug=self.community.slug, pk=self.pk)

    def accepts_contributions(self, at=None) -> bool:
        at = at or timezone.now()
        return self.phase == self.Phase.OPEN and (self.deadline is None or at < self.deadline)


class Contribution(models.Model):
    """What a member shares, written through a toolkit version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        ACCEPTED = "accepted", _("Accepted")
        IN_DEVELOPMENT = "in_development", _("In development")
        SHIPPED = "shipped", _("Shipped")
        DECLINED = "declined", _("Declined")
        DUPLICATE = "duplicate", _("Duplicate")
        MERGED = "merged", _("Merged")

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="contributions",
        verbose_name=_("community"),
    )
    toolkit_version = models.ForeignKey(
        ToolkitVersion, on_delete=models.PROTECT, related_name="contributions"
    )
    challenge = models.ForeignKey(
        Challenge,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("challenge"),
    )
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="contributions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("description"), max_length=50000, blank=True)
    body_html = models.TextField(editable=False, blank=True)
    fields = models.JSONField(_("toolkit answers"), default=dict, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    related_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("original (duplicate of / merged into)"),
    )
    discussion = models.OneToOneField(
        Discussion, on_delete=models.RESTRICT, related_name="contribution", editable=False
    )
    moderation_state = models.CharField(
        max_length=8, choices=ModerationState.choices, default=ModerationState.VISIBLE
    )
    moderation_reason = models.TextField(max_length=2000, blank=True)
    # Pre-moderated and never yet visible to everyone: its notifications and the counters it
    # adds to wait for its first approval (``services.content_set_moderation_state``).
    first_approval_pending = models.BooleanField(default=False, editable=False)
    # Denormalised counters, kept exact by the services in the same transaction.
    support_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(default=timezone.now)
    # Filled on PostgreSQL only (title weight A, body B); GIN-indexed by a vendor-aware migration.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Not a column: whether the viewer supports it, set where the feed is built from rows.
    viewer_supports: bool

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        indexes = [
            models.Index(
                fields=["community", "status", "-submitted_at", "-id"], name="contrib_feed_new"
            ),
            # The feed's four sorts over published contributions: the planner walks one of these
            # in order and stops after a page (no sort of the whole community).
            models.Index(
                fields=["community", "-submitted_at", "-id"],
                name="contrib_pub_new",
                condition=~Q(status="draft"),
            ),
            models.Index(
                fields=["community", "-support_count", "-id"],
                name="contrib_feed_top",
                condition=~Q(status="draft"),
            ),
            models.Index(
                fields=["community", "-comment_count", "-id"],
                name="contrib_feed_talk",
                condition=~Q(status="draft"),
            ),
            models.Index(
                fields=["community", "-last_activity_at", "-id"],
                name="contrib_feed_trend",
                condition=~Q(status="draft"),
            ),
            models.Index(fields=["challenge", "-submitted_at", "-id"], name="contrib_by_challenge"),
            models.Index(fields=["author", "status"], name="contrib_by_author"),
            # The moderation queue: the few pending or hidden items, without scanning the rest.
            models.Index(
                fields=["community", "moderation_state", "created_at"],
                name="contrib_moderated",
                condition=~Q(moderation_state="visible"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return link("knowledge:contribution", slug=self.community.slug, pk=self.pk)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_hidden(self) -> bool:
        return self.moderation_state == ModerationState.HIDDEN

    @property
    def is_pending(self) -> bool:
        return self.moderation_state == ModerationState.PENDING


class ContributionTag(models.Model):
    """One tag of a contribution, as a row so feeds can filter by tag with an index (the
    contribution's ``tags`` list is the copy shown on pages)."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="tag_rows"
    )
    community_id_copy = models.BigIntegerField(db_index=False)
    tag = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contribution", "tag"], name="uniq_contribution_tag")
        ]
        indexes = [models.Index(fields=["community_id_copy", "tag"], name="contrib_tag_lookup")]

    def __str__(self) -> str:
        return self.tag


class ContributionRevision(models.Model):
    """What a contribution said before an edit (append-only)."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="revisions"
    )
    editor = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    fields = models.JSONField(default=dict)
    tags = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"revision of #{self.contribution_id} at {self.created_at:%Y-%m-%d %H:%M}"


class StatusChange(models.Model):
    """One step of a contribution's lifecycle: who moved it, when, and the reason shown to the
    author and followers on the timeline (append-only)."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="status_changes"
    )
    actor = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    reason = models.TextField(max_length=5000, blank=True)
    related_to = models.ForeignKey(
        Contribution, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    # Not a column: the label of ``to_status``, set by a reader that lists moves (the impact
    # report) in the language it is built in.
    to_label: str

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"#{self.contribution_id}: {self.from_status} -> {self.to_status}"


class Comment(models.Model):
    """A comment or reply in a discussion (a contribution's or a challenge's)."""

    # No index of its own: the comment_thread index leads with it.
    discussion = models.ForeignKey(
        Discussion, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="comments")
    body = models.TextField(_("comment"), max_length=10000)
    body_html = models.TextField(editable=False, blank=True)
    is_official = models.BooleanField(_("official response"), default=False)
    is_helpful = models.BooleanField(_("marked helpful"), default=False)
    moderation_state = models.CharField(
        max_length=8, choices=ModerationState.choices, default=ModerationState.VISIBLE
    )
    moderation_reason = models.TextField(max_length=2000, blank=True)
    # See Contribution.first_approval_pending: a comment waiting for its first approval is not
    # counted and nobody has been told about it.
    first_approval_pending = models.BooleanField(default=False, editable=False)
    reply_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    # Not columns: set for the viewer by knowledge.selectors (present_comments and
    # with_first_replies) before a template or serializer reads the comment.
    removed: bool
    show_moderation: bool
    by_viewer: bool
    shown_replies: list["Comment"]

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["discussion", "parent", "created_at", "id"], name="comment_thread"
            ),
            # A window of replies in order, read by the parent alone (no sort step).
            models.Index(fields=["parent", "created_at", "id"], name="comment_replies"),
            models.Index(
                fields=["moderation_state", "created_at"],
                name="comment_moderated",
                condition=~Q(moderation_state="visible"),
            ),
        ]

    def __str__(self) -> str:
        return f"comment #{self.pk} by {self.author_id}"

    def get_absolute_url(self) -> str:
        """Its place on its discussion's page (no query when loaded with ``COMMENT_OWNER``)."""
        return f"{self.discussion.owner.get_absolute_url()}#comment-{self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.moderation_state == ModerationState.HIDDEN

    @property
    def is_pending(self) -> bool:
        return self.moderation_state == ModerationState.PENDING


# What a comment query selects so that its discussion's owner, and the owner's community, need
# no query of their own (``comment.discussion.owner.community``).
COMMENT_OWNER = tuple(f"discussion__{name}__community" for name in Discussion.OWNERS)


class CommentRevision(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"revision of comment #{self.comment_id}"


class Support(models.Model):
    """One member's support for one contribution."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="supports"
    )
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="supports")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contribution", "user"], name="uniq_support")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} supports #{self.contribution_id}"


class Follow(models.Model):
    """Someone following a discussion (a contribution's or a challenge's) to hear what happens
    to its owner."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="follows")
    # No index of its own: the uniq_follow constraint leads with it.
    discussion = models.ForeignKey(
        Discussion, on_delete=models.CASCADE, related_name="follows", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["discussion", "user"], name="uniq_follow"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows discussion #{self.discussion_id}"


class Scorecard(models.Model):
    """Weighted criteria (each scored 1–5) staff use to evaluate contributions.

    ``criteria`` is a list of {"key", "label", "weight"} with positive integer weights.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="scorecards")
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, null=True, blank=True, related_name="scorecards"
    )
    title = models.CharField(_("title"), max_length=120)
    criteria = models.JSONField(_("criteria"), default=list)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class Evaluation(models.Model):
    """One evaluator's scores for one contribution on one scorecard. Staff-only."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="evaluations"
    )
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="evaluations")
    evaluator = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="evaluations")
    scores = models.JSONField(default=dict)
    weighted_score = models.DecimalField(max_digits=4, decimal_places=2)
    note = models.TextField(_("evaluator note"), max_length=5000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "scorecard", "evaluator"], name="uniq_evaluation"
            ),
            models.CheckConstraint(
                condition=Q(weighted_score__gte=1) & Q(weighted_score__lte=5),
                name="evaluation_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluator_id} on #{self.contribution_id}: {self.weighted_score}"


def _delete_thread(sender, instance, origin=None, **kwargs) -> None:
    """An owner deleted takes its thread (comments, follows) along, by whatever path it was
    deleted: the foreign key points from the owner to the thread, so no ``on_delete`` reaches
    the thread. A community's deletion already takes every discussion of it."""
    if isinstance(origin, Community) or getattr(origin, "model", None) is Community:
        return
    Discussion.objects.filter(pk=instance.discussion_id).delete()


for _owner in (Contribution, Challenge):
    post_delete.connect(_delete_thread, sender=_owner, dispatch_uid=f"thread_of_{_owner.__name__}")


class KnowledgeCounts(models.Model):
    """A community's published ideas (visible, not drafts) and ideas shipped among them, as its
    home page shows them. Kept by database triggers on every insert, update and delete of a
    contribution (migration 0011), whatever wrote it; nothing in Python writes these rows.
    ``tests/knowledge/test_counts.py`` checks them against a recount after random changes."""

    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, primary_key=True, related_name="knowledge_counts"
    )
    ideas = models.IntegerField(default=0)
    shipped = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("knowledge counts")
        verbose_name_plural = _("knowledge counts")
        constraints = [
            models.CheckConstraint(
                condition=Q(shipped__gte=0, ideas__gte=models.F("shipped")),
                name="knowledgecounts_shipped_within_ideas",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community_id}: {self.ideas} ideas, {self.shipped} shipped"
