"""Writes on accounts: the profile a member shows to others."""

from django.db import transaction

from .models import User

MAX_EXPERTISE_TAGS = 12
MAX_TAG_LENGTH = 40


def normalize_tags(raw: list[str] | str) -> list[str]:
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
    from allauth.account.models import EmailAddress

    email = email.strip().lower()
    if is_superuser:
        user = User.objects.create_superuser(email=email, password=password)
    else:
        user = User.objects.create_user(email=email, password=password)
    if display_name:
        user.display_name = display_name
        user.save(update_fields=["display_name"])
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
    return user
