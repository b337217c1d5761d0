"""Forms show a service's ValidationError where it belongs: on the named fields, else on top."""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from django.forms import BaseForm as _Form  # what the mixin is mixed into
else:
    _Form = object


class ServiceErrorsMixin(_Form):
    """Show a service's ValidationError on the form: on its fields where it has them."""

    def add_service_error(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                target = field if field in self.fields else None
                for error in errors:
                    self.add_error(target, error)
        else:
            self.add_error(None, exc)
