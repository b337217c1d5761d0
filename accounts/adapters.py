"""allauth adapter: where sign-up and login hand over to Cocreate."""

from allauth.account.adapter import DefaultAccountAdapter

from .services import assign_handle


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user) -> None:
        # The user model has no username; email is the login.
        return None

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            assign_handle(user=user)
        return user
