"""Domain errors: every refusal speaks Indonesian and English and names the field."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import get_language


class DomainError(Exception):
    """A business rule refused an operation. Nothing has been written when this is raised.

    ``message_id`` is Indonesian (the primary language), ``message_en`` English. ``field`` names the
    input that was wrong, when there is one. ``code`` is stable for API clients.
    """

    status = 400

    def __init__(self, message_id: str, message_en: str = "", *, field: str | None = None, code: str = "invalid"):
        super().__init__(message_id)
        self.message_id = message_id
        self.message_en = message_en or message_id
        self.field = field
        self.code = code

    @property
    def message(self) -> str:
        lang = (get_language() or "id")[:2]
        return self.message_en if lang == "en" else self.message_id

    def __str__(self) -> str:
        return self.message

    def as_validation_error(self) -> ValidationError:
        if self.field:
            return ValidationError({self.field: [self.message]}, code=self.code)
        return ValidationError(self.message, code=self.code)

    def as_problem(self) -> dict:
        """RFC 9457 problem details body with both languages."""
        return {
            "type": f"https://kopdes.id/problems/{self.code}",
            "title": self.message_en,
            "status": self.status,
            "detail": self.message,
            "message_id": self.message_id,
            "message_en": self.message_en,
            "field": self.field,
            "code": self.code,
        }


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class PermissionDeniedError(DomainError):
    status = 403


def bilingual(message_id: str, message_en: str) -> str:
    """One string carrying both languages, for Django validators that take a single message."""
    return f"{message_id} / {message_en}"
