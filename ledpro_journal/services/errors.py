"""Named errors that pages turn into a clear message in the user's language.

Each carries a catalogue key (and its parameters), never a finished sentence: the page picks the language.
"""

from __future__ import annotations


class ServiceError(Exception):
    default_key = "error.unexpected"

    def __init__(self, key: str | None = None, **params: object) -> None:
        self.key = key or self.default_key
        self.params = params
        super().__init__(self.key)


class NotAllowed(ServiceError):
    default_key = "error.not_allowed"


class NotFound(ServiceError):
    default_key = "error.not_found"


class Conflict(ServiceError):
    default_key = "error.conflict"


class Invalid(ServiceError):
    """One or more fields are wrong. `errors` maps a field name to (catalogue key, parameters)."""

    default_key = "error.invalid"

    def __init__(self, errors: dict[str, tuple[str, dict]]) -> None:
        super().__init__()
        self.errors = errors

    @classmethod
    def one(cls, field: str, key: str, **params: object) -> Invalid:
        return cls({field: (key, params)})


class Problems:
    """Collects field errors so that a form shows every problem at once, not the first one only."""

    def __init__(self) -> None:
        self.errors: dict[str, tuple[str, dict]] = {}

    def add(self, field: str, key: str, **params: object) -> None:
        self.errors.setdefault(field, (key, params))

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def raise_if_any(self) -> None:
        if self.errors:
            raise Invalid(self.errors)


class SignInRefused(ServiceError):
    """Too many failed sign-ins: refused for a while, without looking at the password."""

    default_key = "auth.locked"
