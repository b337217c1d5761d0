"""The permission check every knowledge service makes before it writes."""

import rules

from cocreate.errors import PermissionDenied


def require(user, perm: str, obj, message: str) -> None:
    # rules.has_perm, not user.has_perm: Django's superuser shortcut would let a platform admin
    # contribute or edit others' work, which the role table in rules.py does not allow.
    if not rules.has_perm(perm, user, obj):
        raise PermissionDenied(message)
