"""Errors a request handler or a state change answers with (plain text, as Emby's)."""

from __future__ import annotations


class ApiError(Exception):
    """An error answer: status and plain-text body."""

    def __init__(self, status: int, text: str) -> None:
        """Status and body."""
        super().__init__(text)
        self.status = status
        self.text = text


def not_found(what: str = "Not found") -> ApiError:
    """404."""
    return ApiError(404, what)


def bad_request(text: str) -> ApiError:
    """400."""
    return ApiError(400, text)
