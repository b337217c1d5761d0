"""Account erasure (GDPR Art. 17): the person is pseudonymised, what they contributed stays.

``account_erase`` turns a member into "Former member <id>": their email addresses, name,
handle, bio, expertise, password, sessions, API token, notifications to them and data-export
archives are removed; every text anywhere on the site that names them (others' comments and
contributions mentioning ``@handle``, notification texts, stored event payloads, admin log
entries ...) has their email address, name and ``@handle`` rewritten to the pseudonym. The user
row stays, so contributions, comments, supports, memberships, consent events, shares and ledger
entries keep their author, and every count and sum is unchanged.
"""

import logging
import re
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from cocreate import caching
from cocreate.caching.invalidation import declared_models
from cocreate.errors import Conflict
from events.services import event_record

from ..models import Erasure
from . import export as exports

logger = logging.getLogger(__name__)

PSEUDONYM = "Former member {number}"
ERASED_KIND = "account.erased"
SOCIAL_ACCOUNT = "socialaccount.SocialAccount"
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)  # Email, Slug: CharField
# Tables the erasure rewrites itself (or must not touch): the user row, their sessions, itself.
SWEEP_SKIPS = frozenset({"sessions.session", "trust.erasure"})


def pseudonym_for(user) -> str:
    """The stable pseudonym of an erased account: its number is the account's id, already
    public (it names the member's page), so it reveals nothing new and never collides."""
    return PSEUDONYM.format(number=user.pk)


def erased_email(user) -> str:
    """A unique, undeliverable address for the erased row (the column is unique and required)."""
    return f"erased-{user.pk}@erased.invalid"


def is_erased(user) -> bool:
    return Erasure.objects.filter(user_id=user.pk).exists()


def account_erase(*, user, password: str) -> Erasure:
    """Erase ``user``'s account after checking their ``password``; returns the erasure record.

    Raises ``ValidationError`` (field ``password``) for a wrong password and ``Conflict``
    (code ``already_erased``) for an account erased before; in both cases nothing is written.
    Everything happens in one transaction; cached copies are invalidated through the cache
    boundary in it, and the copies holding the person's words are deleted after commit."""
    if not user.is_authenticated:
        raise Conflict(_("Sign in to delete your account."), code="not_signed_in")
    if is_erased(user):
        raise Conflict(_("This account has already been deleted."), code="already_erased")
    if not password or not user.check_password(password):
        raise ValidationError({"password": _("The password is not correct.")})
    User = get_user_model()
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=user.pk)
        pseudonym = pseudonym_for(person)
        try:
            with transaction.atomic():
                erasure = Erasure.objects.create(user=person, pseudonym=pseudonym)
        except IntegrityError:  # erased concurrently
            raise Conflict(
                _("This account has already been deleted."), code="already_erased"
            ) from None
        emails = _emails_of(person)
        rewrite = _rewriter(
            emails=emails, name=person.display_name, handle=person.handle or "", to=pseudonym
        )
        _forget_credentials(person)
        _forget_personal_rows(person)
        exports.export_delete_files(user=person)
        _pseudonymise_user(person, pseudonym)
        needles = [*emails, user.display_name, f"@{user.handle}" if user.handle else ""]
        swept = _sweep(rewrite, needles=needles, person=person)
        event_record(kind=ERASED_KIND, payload={"user_id": person.pk, "rewritten": swept})
        transaction.on_commit(lambda: caching.forget_containing(needles))
    user.refresh_from_db()
    return erasure


def _emails_of(person) -> list[str]:
    from allauth.account.models import EmailAddress  # noqa: PLC0415 — allauth's app registry

    found = {person.email.lower()}
    listed = EmailAddress.objects.filter(user=person).values_list("email", flat=True)
    found.update(e.lower() for e in listed)
    return sorted(e for e in found if e)


def _rewriter(*, emails: list[str], name: str, handle: str, to: str) -> Callable[[str], str]:
    """A function rewriting, case-insensitively, each email address, the whole name (as a word)
    and each ``@handle`` mention in a text to the pseudonym."""
    patterns = [re.escape(e) for e in emails]
    if handle:
        patterns.append(r"(?<![\w@])@" + re.escape(handle) + r"\b")
    if name.strip():
        patterns.append(r"(?<!\w)" + re.escape(name.strip()) + r"(?!\w)")
    if not patterns:
        return lambda text: text
    combined = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    return lambda text: combined.sub(to, text)


def _forget_credentials(person) -> None:
    """Everything that lets anyone act as the person: API token, email addresses (and with them
    allauth's confirmations), social accounts, sessions (database and cache)."""
    from allauth.account.models import EmailAddress  # noqa: PLC0415 — allauth's app registry
    from rest_framework.authtoken.models import Token  # noqa: PLC0415

    Token.objects.filter(user=person).delete()  # each delete reaches accounts' declarations
    EmailAddress.objects.filter(user=person).delete()
    if apps.is_installed("allauth.socialaccount"):
        social = apps.get_model(SOCIAL_ACCOUNT)  # only where allauth's social login is on
        social._default_manager.filter(user=person).delete()
    _end_sessions(person)


def _end_sessions(person) -> None:

    store: type[SessionBase] = import_string(settings.SESSION_ENGINE + ".SessionStore")
    uid = str(person.pk)
    decoder = store()
    for key, data in (
        Session.objects.filter(expire_date__gt=timezone.now())
        .values_list("session_key", "session_data")
        .iterator(chunk_size=1000)
    ):
        if decoder.decode(data).get("_auth_user_id") == uid:
            store(session_key=key).delete()


def _forget_personal_rows(person) -> None:
    """Rows that are the person's alone and hold what was said to or about them only: their
    notifications and queued emails, their retry records (which keep whole API responses)."""
    for label, field in (
        ("notifications.OutboundEmail", "recipient"),
        ("notifications.Notification", "recipient"),
        ("idempotency.IdempotencyKey", "user"),
        ("idempotency.FormSubmission", "user"),
    ):
        if _installed(label):
            model = apps.get_model(label)
            rows = list(model._default_manager.filter(**{field: person}))
            if rows:
                if model in declared_models():
                    caching.changed(rows)
                model._default_manager.filter(pk__in=[r.pk for r in rows]).delete()


def _installed(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def _pseudonymise_user(person, pseudonym: str) -> None:
    person.email = erased_email(person)
    person.display_name = pseudonym
    person.handle = None
    person.bio = ""
    person.expertise_tags = []
    person.is_active = False
    person.is_staff = False
    person.is_superuser = False
    person.last_login = None
    person.set_unusable_password()
    # A save, not an update(): it replaces the person's generation token (their cached pages,
    # the cached user row and API token are no longer served).
    person.save()
    person.groups.clear()
    person.user_permissions.clear()


def _text_columns(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, TEXT_FIELDS) and not f.is_relation and not f.primary_key
    ]


def _rewrite_value(value: Any, rewrite: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, list):
        return [_rewrite_value(v, rewrite) for v in value]
    if isinstance(value, dict):
        return {k: _rewrite_value(v, rewrite) for k, v in value.items()}
    return value


def _sweep(rewrite: Callable[[str], str], *, needles: list[str], person) -> int:
    """Rewrite every text, varchar and JSON column of every table where it names the person
    (others' comments mentioning them, notification texts, event payloads, admin log entries,
    invitations to their address ...). Returns the number of rows rewritten.

    Each table is rewritten in a savepoint: a table that refuses updates (an append-only log,
    such as the moderation log or consent events, held by a trigger) keeps its rows as the
    proof they are, and is logged."""
    needles = [n for n in needles if n]
    if not needles:
        return 0
    total = 0
    cached = declared_models()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or model._meta.label_lower in SWEEP_SKIPS or not model._meta.managed:
            continue
        columns = _text_columns(model)
        if not columns:
            continue
        where = Q()
        for column in columns:
            for needle in needles:
                where |= Q(**{f"{_searchable(column)}__icontains": needle})
        qs = model._default_manager.all()
        if model is type(person):  # the erased row itself was rewritten already
            qs = qs.exclude(pk=person.pk)
        try:
            with transaction.atomic():
                total += _rewrite_rows(qs, columns, where, rewrite, model in cached)
        except DatabaseError:
            logger.warning("erasure: %s refused the rewrite (append-only?)", model._meta.label)
    return total


def _searchable(column: models.Field) -> str:
    """The name to search ``column`` by: JSON columns through their text (annotated)."""
    return f"{column.attname}_as_text" if isinstance(column, models.JSONField) else column.attname


def _rewrite_rows(qs, columns, where: Q, rewrite, cached: bool) -> int:
    manager = qs.model._default_manager
    json_columns = [c for c in columns if isinstance(c, models.JSONField)]
    if json_columns:
        qs = qs.annotate(**{_searchable(c): Cast(c.attname, TextField()) for c in json_columns})
    written = []
    for row in qs.filter(where).iterator(chunk_size=500):
        changes = {}
        for column in columns:
            before = getattr(row, column.attname)
            after = _rewrite_value(before, rewrite)
            if after != before:
                changes[column.attname] = after
        if changes:
            manager.filter(pk=row.pk).update(**changes)
            for name, value in changes.items():
                setattr(row, name, value)
            written.append(row)
    if written and cached:
        caching.changed(written)
    return len(written)
