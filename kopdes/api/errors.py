"""Every API error is an RFC 9457 problem document with an Indonesian and an English message."""

from __future__ import annotations

from django.http import HttpResponse

from kopdes.core.errors import DomainError

PROBLEM_TYPE = "application/problem+json"


class ApiProblem(DomainError):
    """A refusal with an explicit HTTP status."""

    def __init__(self, status: int, message_id: str, message_en: str = "", *, field: str | None = None,
                 code: str = "invalid", headers: dict | None = None):
        super().__init__(message_id, message_en, field=field, code=code)
        self.status = status
        self.headers = headers or {}


def not_found(what_id: str = "Data tidak ditemukan.", what_en: str = "Not found.") -> ApiProblem:
    return ApiProblem(404, what_id, what_en, code="not_found")


def forbidden(message_id: str = "Anda tidak berwenang untuk tindakan ini.",
              message_en: str = "You are not allowed to do this.", code: str = "forbidden") -> ApiProblem:
    return ApiProblem(403, message_id, message_en, code=code)


def problem_response(exc: DomainError) -> HttpResponse:
    import json

    body = exc.as_problem()
    body["status"] = getattr(exc, "status", 400)
    resp = HttpResponse(json.dumps(body), status=body["status"], content_type=PROBLEM_TYPE)
    for k, v in getattr(exc, "headers", {}).items():
        resp[k] = v
    return resp


def from_validation(errors: list[dict]) -> ApiProblem:
    """ninja's validation errors → one 422 problem naming the first bad field (all listed in ``detail``)."""
    parts = []
    field = None
    for e in errors:
        raw = list(e.get("loc", []))
        if raw[:1] == ["body"] and len(raw) > 2:
            raw = raw[2:]  # ("body", <parameter name>, field, …)
        loc = [str(p) for p in raw if p not in ("body", "query", "path", "header", "payload")]
        name = ".".join(loc) or None
        field = field or name
        parts.append(f"{name or '?'}: {e.get('msg', 'invalid')}")
    detail = "; ".join(parts)[:1000]
    return ApiProblem(422, f"Data tidak valid — {detail}", f"Invalid input — {detail}", field=field,
                      code="validation_error")
