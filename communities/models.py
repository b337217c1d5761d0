"""Firms, their communities of creation, and who belongs to them in which role."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cocreate.links import link


class Organization(models.Model):
    """A firm that runs one or more communities."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class OrganizationStaff(models.Model):
    """A member of a firm's staff: may create communities and manage every one of them."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Staff")
        OWNER = "owner", _("Owner")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="staff", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="organization_roles",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="uniq_org_staff_user")
        ]
        verbose_name = _("organisation staff")
        verbose_name_plural = _("organisation staff")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


class Community(models.Model):
    """A community of creation run by a firm."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: anyone can see it")
        PRIVATE = "private", _("Private: only members can see it")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Open: anyone can join")
        REQUEST = "request", _("By request: a manager approves")
        INVITATION = "invitation", _("By invitation only")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="communities",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    description = models.TextField(_("description"), max_length=10000, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    join_policy = models.CharField(
        _("join policy"), max_length=12, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    application_question = models.CharField(
        _("application question"),
        max_length=500,
        blank=True,
        help_text=_("Asked of people who request to join (join policy 'by request')."),
    )
    # Active members, kept exact by the membership services in the same transaction.
    member_count = models.PositiveIntegerField(_("members"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Not a column: the viewer's own membership (or None), set by the community selectors
    # that resolve a community for a viewer.
    viewer_membership: "Membership | None"

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        indexes = [
            models.Index(fields=["visibility", "name", "id"], name="community_dir_name"),
            models.Index(fields=["visibility", "-member_count", "id"], name="community_dir_pop"),
            models.Index(fields=["visibility", "-created_at", "id"], name="community_dir_new"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=["public", "private"]), name="community_visibility_valid"
            ),
            models.CheckConstraint(
                condition=Q(join_policy__in=["open", "request", "invitation"]),
                name="community_join_policy_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return link("communities:home", slug=self.slug)

    @property
    def is_private(self) -> bool:
        return self.visibility == self.Visibility.PRIVATE


class Membership(models.Model):
    """One person's place in one community: their role and where they stand."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MODERATOR = "moderator", _("Moderator")
        MANAGER = "manager", _("Manager")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        BANNED = "banned", _("Banned")
        LEFT = "left", _("Left")
        DECLINED = "declined", _("Request declined")

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("community")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    application_answer = models.TextField(_("application answer"), max_length=2000, blank=True)
    decision_message = models.TextField(_("message from the managers"), max_length=2000, blank=True)
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True)
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    # The member's published posts in this community that moderators let stand: contributions
    # past draft and comments on contributions, while visible. Kept by knowledge's publishing
    # service in the transaction that changes a post (``knowledge.services.publishing``), so
    # moderation's standing check (``moderation.trust``) reads one row.
    approved_posts = models.PositiveIntegerField(_("approved posts"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="uniq_membership"),
            models.CheckConstraint(
                condition=Q(role__in=["member", "moderator", "manager"]),
                name="membership_role_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["pending", "active", "suspended", "banned", "left", "declined"]
                ),
                name="membership_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "created_at"], name="membership_by_status"),
            models.Index(fields=["user", "status"], name="membership_by_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.community} ({self.role}, {self.status})"

    @property
    def effective_status(self) -> str:
        """The status as of now: a suspension whose end has passed counts as active."""
        if (
            self.status == self.Status.SUSPENDED
            and self.suspended_until is not None
            and self.suspended_until <= timezone.now()
        ):
            return self.Status.ACTIVE
        return self.status

    @property
    def is_active(self) -> bool:
        return self.effective_status == self.Status.ACTIVE


class MembershipChange(models.Model):
    """Append-only history of a membership: who changed role or status, when and why."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="changes", verbose_name=_("membership")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    from_role = models.CharField(_("role before"), max_length=10, blank=True)
    to_role = models.CharField(_("role after"), max_length=10)
    from_status = models.CharField(_("status before"), max_length=10, blank=True)
    to_status = models.CharField(_("status after"), max_length=10)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("membership change")
        verbose_name_plural = _("membership changes")

    def __str__(self) -> str:
        return f"{self.from_status}/{self.from_role} -> {self.to_status}/{self.to_role}"


class Invitation(models.Model):
    """A single-use, expiring invitation sent to an email address.

    Only a hash of the token is stored; the token itself exists only in the email.
    """

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("community")
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    message = models.TextField(_("personal message"), max_length=2000, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [
            models.Index(fields=["community", "-created_at"], name="invitation_by_community")
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.community}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"
