"""User access tokens (`POST /Users/AuthenticateByName`) and who a token belongs to."""

from __future__ import annotations

import time

from .auth import Identity
from .clock import Clock, hex_id
from .library import Library
from .models import User


class TokenStore:
    """Issued user tokens; the API key is the configuration's."""

    def __init__(self, api_key: str, library: Library, clock: Clock) -> None:
        """No token issued yet."""
        self._api_key = api_key
        self._library = library
        self._clock = clock
        self._tokens: dict[str, str] = {}

    @staticmethod
    def user_password(user: User) -> str:
        """Users' passwords: their lower-case name (empty for users without one)."""
        return user.name.lower() if user.has_password else ""

    def issue(self, user: User) -> str:
        """A new access token of `user` (and their last login is now)."""
        token = hex_id(
            "token", self._library.server_id, user.id, len(self._tokens), time.monotonic_ns()
        )
        self._tokens[token] = user.id
        user.last_login = self._clock.now()
        return token

    def revoke(self, token: str) -> None:
        """POST /Sessions/Logout."""
        self._tokens.pop(token, None)

    def authenticate(self, identity: Identity) -> User | bool:
        """True for the API key, the User for a user token, False otherwise."""
        token = identity.token
        if token is None:
            return False
        if token == self._api_key:
            return True
        user_id = self._tokens.get(token)
        user = self._library.user(user_id) if user_id else None
        return user if user is not None else False
