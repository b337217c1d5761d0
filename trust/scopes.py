"""Trust shows on cached community pages through the join form (a community's purposes in plain
words): publishing, archiving or re-ordering a purpose makes the community's pages stale. The
trust pages themselves are not cached."""

from cocreate.caching import generations, invalidates

from .models import ConsentPurpose


@invalidates(ConsentPurpose)
def _purpose(purpose: ConsentPurpose, fields) -> list[str]:
    if purpose.community_id is None:
        return []
    return [*generations.community_wide(purpose.community_id)]
