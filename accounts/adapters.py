"""allauth adapter: where sign-up and login hand over to Cocreate."""

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user) -> None:
        # The user model has no username; email is the login.
        return None

    def save_user(self, request, user, form, commit=True):
        # A new person keeps the language they signed up in (the switch's cookie or their
        # browser's Accept-Language): signed in, pages follow their profile's language.
        from .services import offered_languages

        language = translation.get_language()
        if language in offered_languages():
            user.locale = language
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from .services import assign_handle

            assign_handle(user=user)
        return user
