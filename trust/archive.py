"""What a member's data export holds, and how the archive is written.

**Design: a registry of per-model exporters with a generic fallback, guarded by a model walk.**
``user_linked_models()`` walks every installed model for a foreign key or one-to-one field to
``AUTH_USER_MODEL``. ``KINDS`` declares, for each such model, which of its rows are the
member's and which columns leave the site (``Kind``); ``EXCLUDED`` names the few left out on
purpose, each with its reason. A user-linked model declared in neither (a new app's model) is
still exported, by ``generic_kind``: every row that points at the member through any of its user
fields, every column but secrets (passwords, token keys, hashes, binary blobs). So nothing is
ever silently left out of an archive; and ``tests/trust/test_export_walk.py`` fails for any
user-linked model that is not declared, so that a person decides what of it is the member's.

The archive is a ZIP: per kind, ``<kind>.json`` (a list of objects) and ``<kind>.csv`` (the
same rows), and ``README.txt``, which explains every file and every field. Rows are read with
``iterator(chunk_size=...)`` and written as they come (JSON straight into the ZIP entry, CSV into
a temporary file copied in after it), so memory does not grow with the archive.
"""

import csv
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q, QuerySet

CHUNK = 500  # rows fetched per round trip, and between two progress updates
# Columns never exported, whatever the model: credentials and one-time secrets.
SECRET_NAMES = ("password", "token", "key", "hash", "secret", "fingerprint")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def user_model() -> type[models.Model]:
    return apps.get_model(settings.AUTH_USER_MODEL)


def user_fields(model: type[models.Model]) -> list[models.Field]:
    """The model's own foreign key and one-to-one fields that point at the user model."""
    target = user_model()
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model is target
    ]


def user_linked_models() -> list[type[models.Model]]:
    """The user model and every concrete (non-proxy) model with a field pointing at it,
    many-to-many tables included, in app registry order."""
    found: list[type[models.Model]] = [user_model()]
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or model is found[0]:
            continue
        if user_fields(model):
            found.append(model)
    return found


def _is_secret(field: models.Field) -> bool:
    if isinstance(field, models.BinaryField | SearchVectorField):
        return True
    return any(part in field.name.lower() for part in SECRET_NAMES)


def default_columns(model: type[models.Model], *, drop: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every concrete column of ``model`` (foreign keys by their ``_id``) but secrets and
    ``drop``."""
    return tuple(
        f.attname
        for f in model._meta.concrete_fields
        if not _is_secret(f) and f.name not in drop and f.attname not in drop
    )


@dataclass(frozen=True)
class Kind:
    """One file pair of the archive: ``name`` (``<app>.<model>``), its rows for a member and
    the columns written, and a sentence for the README."""

    model: type[models.Model]
    about: str
    rows: Callable[[Any], QuerySet]
    columns: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.model._meta.label_lower

    def queryset(self, user) -> QuerySet:
        return self.rows(user).order_by("pk")


def _through_any_user_field(model: type[models.Model]) -> Callable[[Any], QuerySet]:
    names = [f.name for f in user_fields(model)]

    def rows(user) -> QuerySet:
        where = Q()
        for name in names:
            where |= Q(**{name: user})
        return model._default_manager.filter(where)

    return rows


def generic_kind(model: type[models.Model], about: str = "", drop: tuple[str, ...] = ()) -> Kind:
    """The fallback: every row pointing at the member through any user field, every column
    but secrets."""
    fields = ", ".join(f.name for f in user_fields(model)) or "id"
    return Kind(
        model=model,
        about=about or f"Rows of {model._meta.verbose_name} that name you (through: {fields}).",
        rows=_through_any_user_field(model),
        columns=default_columns(model, drop=drop),
    )


def _kind(
    label: str,
    about: str,
    *,
    where: Callable[[Any], Q] | None = None,
    drop: tuple[str, ...] = (),
) -> Kind:
    model = apps.get_model(label)
    if where is None:
        return generic_kind(model, about, drop)
    return Kind(
        model=model,
        about=about,
        rows=lambda user: model._default_manager.filter(where(user)),
        columns=default_columns(model, drop=drop),
    )


def declared_kinds() -> dict[str, Kind]:
    """The registry: one entry per user-linked model whose export a person has decided on.
    Models of apps not installed are skipped (each entry names its model by label)."""
    entries: list[tuple[str, Callable[[], Kind]]] = [
        (
            "accounts.user",
            lambda: _kind(
                "accounts.User",
                "Your account and public profile.",
                where=lambda u: Q(pk=u.pk),
                drop=("is_superuser",),
            ),
        ),
        (
            "accounts.user_groups",
            lambda: _kind("accounts.User_groups", "Permission groups you belong to (staff)."),
        ),
        (
            "accounts.user_user_permissions",
            lambda: _kind(
                "accounts.User_user_permissions", "Permissions given to you directly (staff)."
            ),
        ),
        (
            "account.emailaddress",
            lambda: _kind(
                "account.EmailAddress", "Your email addresses and whether each is verified."
            ),
        ),
        (
            "authtoken.token",
            lambda: _kind(
                "authtoken.Token", "When your API token was created (the token itself is secret)."
            ),
        ),
        (
            "admin.logentry",
            lambda: _kind("admin.LogEntry", "Changes you made in the administration site."),
        ),
        (
            "events.outboxevent",
            lambda: _kind(
                "events.OutboxEvent",
                "Events recorded about what you did on the platform (kind and time; their "
                "payloads name other people and one-time links, and are not included).",
                drop=("payload",),
            ),
        ),
        (
            "communities.organizationstaff",
            lambda: _kind("communities.OrganizationStaff", "Firms for which you work as staff."),
        ),
        (
            "communities.community",
            lambda: _kind("communities.Community", "Communities you created."),
        ),
        (
            "communities.membership",
            lambda: _kind(
                "communities.Membership",
                "Your memberships: role, status, your application answer, decisions.",
            ),
        ),
        (
            "communities.membershipchange",
            lambda: _kind(
                "communities.MembershipChange",
                "Every change of your memberships (by you or by staff) and changes you made to "
                "others' memberships.",
                where=lambda u: Q(actor=u) | Q(membership__user=u),
            ),
        ),
        (
            "communities.invitation",
            lambda: _kind(
                "communities.Invitation",
                "Invitations you sent or accepted (the invited address is left out).",
                drop=("email",),
            ),
        ),
        ("knowledge.toolkit", lambda: _kind("knowledge.Toolkit", "Toolkits you created.")),
        (
            "knowledge.toolkitversion",
            lambda: _kind("knowledge.ToolkitVersion", "Toolkit versions you wrote."),
        ),
        ("knowledge.challenge", lambda: _kind("knowledge.Challenge", "Challenges you posed.")),
        (
            "knowledge.contribution",
            lambda: _kind(
                "knowledge.Contribution", "Your contributions, with their fields, tags and status."
            ),
        ),
        (
            "knowledge.contributionrevision",
            lambda: _kind(
                "knowledge.ContributionRevision", "Earlier versions of contributions you edited."
            ),
        ),
        (
            "knowledge.statuschange",
            lambda: _kind(
                "knowledge.StatusChange",
                "Status changes of your contributions, and status changes you made.",
                where=lambda u: Q(actor=u) | Q(contribution__author=u),
            ),
        ),
        ("knowledge.comment", lambda: _kind("knowledge.Comment", "Your comments.")),
        ("knowledge.support", lambda: _kind("knowledge.Support", "Contributions you support.")),
        ("knowledge.follow", lambda: _kind("knowledge.Follow", "Discussions you follow.")),
        ("knowledge.scorecard", lambda: _kind("knowledge.Scorecard", "Scorecards you created.")),
        (
            "knowledge.evaluation",
            lambda: _kind("knowledge.Evaluation", "Evaluations you wrote as staff."),
        ),
        ("moderation.flag", lambda: _kind("moderation.Flag", "Posts you reported.")),
        (
            "moderation.moderationaction",
            lambda: _kind(
                "moderation.ModerationAction",
                "Moderation actions about you or your posts, and actions you took as a moderator.",
            ),
        ),
        (
            "moderation.appeal",
            lambda: _kind("moderation.Appeal", "Your appeals, and appeals you decided."),
        ),
        (
            "notifications.notification",
            lambda: _kind(
                "notifications.Notification",
                "Notifications you received.",
                where=lambda u: Q(recipient=u),
            ),
        ),
        (
            "notifications.preference",
            lambda: _kind("notifications.Preference", "How you chose to be notified, per topic."),
        ),
        (
            "notifications.communitymute",
            lambda: _kind("notifications.CommunityMute", "Communities you muted."),
        ),
        (
            "notifications.announcement",
            lambda: _kind("notifications.Announcement", "Announcements you wrote."),
        ),
        (
            "notifications.outboundemail",
            lambda: _kind(
                "notifications.OutboundEmail",
                "Emails sent (or queued) to you: kind, state and times.",
                drop=("params", "last_error", "lease_until"),
            ),
        ),
        (
            "idempotency.idempotencykey",
            lambda: _kind(
                "idempotency.IdempotencyKey",
                "API requests you sent with an Idempotency-Key (kept 24 hours for safe retries).",
                drop=("response_headers", "owner"),
            ),
        ),
        (
            "idempotency.formsubmission",
            lambda: _kind(
                "idempotency.FormSubmission",
                "Forms you sent in the last 24 hours (for safe retries).",
            ),
        ),
        (
            "incentives.account",
            lambda: _kind(
                "incentives.Account",
                "Your points wallets: per community, points posted and held for redemptions.",
                where=lambda u: Q(owner=u),
            ),
        ),
        (
            "incentives.entry",
            lambda: _kind(
                "incentives.Entry",
                "Every entry of your wallets: points credited (C) or debited (D), by transaction.",
                where=lambda u: Q(account__owner=u),
            ),
        ),
        (
            "incentives.transaction",
            lambda: _kind(
                "incentives.Transaction",
                "The bookings behind your entries (what each was for), and any you booked as "
                "staff.",
                where=lambda u: (
                    Q(booked_by=u)
                    | Q(
                        pk__in=apps.get_model("incentives.Entry")
                        .objects.filter(account__owner=u)
                        .values("transaction_id")
                    )
                ),
                drop=("digest",),
            ),
        ),
        (
            "incentives.earningrules",
            lambda: _kind(
                "incentives.EarningRules",
                "Versions of a community's earning rules you published (managers).",
                where=lambda u: Q(published_by=u),
            ),
        ),
        (
            "trust.consentevent",
            lambda: _kind(
                "trust.ConsentEvent",
                "Your consent history: every grant and withdrawal, per purpose version, with the "
                "channel and the SHA-256 of the text you were shown.",
                where=lambda u: Q(user=u),
            ),
        ),
        (
            "trust.consentstate",
            lambda: _kind(
                "trust.ConsentState",
                "Your current answer for each purpose (derived from your consent history).",
                where=lambda u: Q(user=u),
            ),
        ),
        (
            "trust.purposeversion",
            lambda: _kind(
                "trust.PurposeVersion",
                "Versions of consent purposes you published (managers).",
                where=lambda u: Q(published_by=u),
            ),
        ),
        (
            "trust.restrictionevent",
            lambda: _kind(
                "trust.RestrictionEvent",
                "Restrictions you set or lifted on your contributions (a purpose they may not "
                "be used for).",
            ),
        ),
        (
            "trust.usagerecord",
            lambda: _kind(
                "trust.UsageRecord",
                "Every recorded use of your contributions (purpose, what, when, by whom), and "
                "uses you recorded as staff.",
            ),
        ),
        (
            "trust.usagerefusal",
            lambda: _kind(
                "trust.UsageRefusal",
                "Uses of your contributions that were refused (and why), and refusals of uses "
                "you tried to record as staff.",
            ),
        ),
        (
            "trust.dataexport",
            lambda: _kind(
                "trust.DataExport",
                "Your data exports (this one included).",
                drop=("file_name", "error"),
            ),
        ),
    ]
    installed = {m._meta.label_lower for m in apps.get_models(include_auto_created=True)}
    return {label: build() for label, build in entries if label in installed}


# Models that name the member only through another user-linked row, exported all the same
# (declared above), each with the row it goes through.
REACHED_THROUGH: dict[str, str] = {
    "incentives.entry": "incentives.account (the member's wallets)",
}

# User-linked models left out of every archive on purpose, each with the reason.
EXCLUDED: dict[str, str] = {
    "trust.erasure": "An erased account can no longer sign in, so it never requests an export.",
}


def plan() -> list[Kind]:
    """Every kind the archive holds: the declared ones, then the generic fallback for any
    user-linked model not declared (and not excluded), in the walk's order."""
    declared = declared_kinds()
    kinds = []
    walked = set()
    for model in user_linked_models():
        label = model._meta.label_lower
        walked.add(label)
        if label in EXCLUDED:
            continue
        kinds.append(declared.get(label) or generic_kind(model))
    # Declared kinds the walk does not reach: rows that are the member's through another row
    # (their ledger entries, through their wallets).
    kinds.extend(declared[label] for label in REACHED_THROUGH if label in declared)
    return kinds


# --- writing --------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A CSV cell: JSON for structures, ISO for times, an apostrophe before a formula."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    elif hasattr(value, "isoformat"):
        text = value.isoformat()
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _rows(kind: Kind, user) -> Iterator[tuple]:
    yield from kind.queryset(user).values_list(*kind.columns).iterator(chunk_size=CHUNK)


def _field_line(model: type[models.Model], attname: str) -> str:
    field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    kind = field.get_internal_type()
    if field.is_relation and field.related_model is not None:
        kind = f"id of a {field.related_model._meta.verbose_name}"
    text = f"  - {attname} ({kind}): {str(field.verbose_name).capitalize()}."
    if field.help_text:
        text += f" {field.help_text}"
    if field.choices:
        values = ", ".join(f"{value} = {label}" for value, label in field.choices)
        text += f" One of: {values}."
    return text


README_INTRO = """Your data from {site}
{underline}

This archive holds everything {site} stores about you, as of {when} (UTC).
Each kind of record is in two files with the same rows: NAME.json (a list of
objects, one per record) and NAME.csv (one line per record, for spreadsheets;
a cell that would start a formula begins with an apostrophe). Times are ISO 8601
in UTC. A field ending in "_id" is the number of another record: of you, of a
community, of a contribution, and so on. Secrets (your password, your API
token, one-time links) are never included.

"""


def readme(kinds: list[tuple[Kind, int]], *, when: str) -> str:
    site = settings.SITE_NAME
    parts = [README_INTRO.format(site=site, underline="=" * (15 + len(site)), when=when)]
    for kind, count in kinds:
        parts.append(f"{kind.name}.json / {kind.name}.csv ({count} records)\n")
        parts.append(f"  {kind.about}\n")
        parts.extend(_field_line(kind.model, column) + "\n" for column in kind.columns)
        parts.append("\n")
    return "".join(parts)


def write_archive(
    *,
    user,
    path: str,
    kinds: list[Kind],
    counts: list[int],
    progress: Callable[[int], None],
    when: str,
) -> int:
    """Write the member's archive to ``path`` (replaced if it exists); call ``progress(done)``
    every ``CHUNK`` records and after each kind. Returns the archive's size in bytes."""
    done = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme(list(zip(kinds, counts, strict=True)), when=when))
        for kind in kinds:
            with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
                table = csv.writer(spool)
                table.writerow(kind.columns)
                with archive.open(f"{kind.name}.json", "w", force_zip64=True) as entry:
                    entry.write(b"[")
                    for n, row in enumerate(_rows(kind, user)):
                        record = dict(zip(kind.columns, row, strict=True))
                        text = json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False)
                        entry.write(((",\n" if n else "\n") + text).encode())
                        table.writerow([_cell(value) for value in row])
                        done += 1
                        if done % CHUNK == 0:
                            progress(done)
                    entry.write(b"\n]\n")
                spool.seek(0)
                with archive.open(f"{kind.name}.csv", "w", force_zip64=True) as entry:
                    while block := spool.read(64 * 1024):
                        entry.write(block.encode())
            progress(done)
    return os.path.getsize(path)
