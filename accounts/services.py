"""Writes on accounts: the profile a member shows to others, and their language."""

import re
from collections.abc import Sequence

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from .models import User

MAX_EXPERTISE_TAGS = 12
MAX_TAG_LENGTH = 40


def normalize_tags(raw: Sequence[str] | str) -> list[str]:
    """Lower-case, trimmed, de-duplicated tags in their first-seen order."""
    items = raw.split(",") if isinstance(raw, str) else raw
    seen: list[str] = []
    for item in items:
        tag = " ".join(str(item).split()).lower()[:MAX_TAG_LENGTH]
        if tag and tag not in seen:
            seen.append(tag)
    return seen


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    bio: str,
    expertise_tags: list[str] | str,
    locale: str,
    timezone: str,
) -> User:
    """Replace the member's public profile. Tags are normalised and capped at 12.

    Expects values already validated by a form or serializer (choices, lengths).
    """
    user.display_name = display_name.strip()
    user.bio = bio.strip()
    user.expertise_tags = normalize_tags(expertise_tags)[:MAX_EXPERTISE_TAGS]
    user.locale = locale
    user.timezone = timezone
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "bio", "expertise_tags", "locale", "timezone"])
    return user


def offered_languages() -> set[str]:
    """The language codes the site offers (``settings.LANGUAGES``)."""
    return {code for code, _name in settings.LANGUAGES}


@transaction.atomic
def locale_set(*, user: User, language: str) -> User:
    """Make ``language`` the person's language: every page they see from the next request on
    is in it, and their profile shows it.

    Raises ValidationError for a code the site does not offer. Choosing the language they
    already have writes nothing (so their cached pages stay cached).
    """
    if language not in offered_languages():
        raise ValidationError({"locale": _("Choose one of the offered languages.")})
    if user.locale != language:
        user.locale = language
        # A save, not an update(): the user's generation token is replaced on save, so the
        # cached user row (accounts.auth_cache) and their cached pages are read afresh.
        user.save(update_fields=["locale"])
    return user


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    display_name: str = "",
    email_verified: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a person with a primary email address (verified or not) known to allauth.

    Sign-up through the site goes through allauth; this is for seeds, admins and tests.
    """
    email = email.strip().lower()
    if is_superuser:
        user = User.objects.create_superuser(email=email, password=password)
    else:
        user = User.objects.create_user(email=email, password=password)
    if display_name:
        user.display_name = display_name
        user.save(update_fields=["display_name"])
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
    assign_handle(user=user)
    return user


def assign_handle(*, user: User) -> User:
    """Give the user a unique @handle derived from their name or email, if they have none."""
    if user.handle:
        return user
    base = slugify(user.display_name or user.email.split("@")[0]).replace("-", "_")[:24]
    base = re.sub(r"[^a-z0-9_]", "", base) or "member"
    candidate, n = base, 1
    while User.objects.filter(handle=candidate).exclude(pk=user.pk).exists():
        n += 1
        candidate = f"{base}{n}"
    user.handle = candidate
    user.save(update_fields=["handle"])
    return user


@transaction.atomic
def api_token_issue(*, user: User) -> str:
    """The person's API token key: one per person, created on first use, reused after.

    Expects an authenticated, active user whose credentials the caller has just checked.
    """
    token, _created = Token.objects.get_or_create(user=user)
    return token.key


@transaction.atomic
def api_token_revoke(*, user: User) -> bool:
    """Delete the person's API token; True if there was one. Requests with it then get 401."""
    deleted, _details = Token.objects.filter(user=user).delete()
    return bool(deleted)
