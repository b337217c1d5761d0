"""The dates a person may enter: only those every time zone can show.

A deadline of 9999-12-31T23:59:59Z was accepted, and then every page showing it answered 500 to
a member whose time zone is ahead of UTC (Python's dates end at the year 9999, and Kiritimati
is fourteen hours ahead); the moderation log filtered "until 9999-12-31" overflowed adding
its last day. Dates and moments from the year 1 to the end of 9998 are accepted — centuries
more than any deadline or filter needs — and anything beyond is a validation error on its
field, in forms and in the API alike.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FIRST = datetime.date(1, 1, 2)
LAST = datetime.date(9998, 12, 31)
_MESSAGE = _("Enter a date between the years 1 and 9998.")


def displayable_date(value: datetime.date | None) -> None:
    """Validator: ``value`` (a date or a moment) lies where every time zone can show it."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not FIRST <= day <= LAST:
        raise ValidationError(_MESSAGE, code="date_out_of_range")
