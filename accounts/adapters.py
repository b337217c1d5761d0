"""allauth adapter: where sign-up and login hand over to Cocreate."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user) -> None:
        # The user model has no username; email is the login.
        return None
