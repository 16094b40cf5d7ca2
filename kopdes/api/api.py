"""The HTTP API, version 1: ``/api/v1/``. One router per business app; each added when its app provides services.

Conventions (see ``docs/api.md``): bearer tokens; scoping exactly like the web UI; ``Idempotency-Key`` on every
write; RFC 9457 problem details for every error; ``?limit=&offset=`` pagination with ``{count, items, next}``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from kopdes.core.errors import DomainError

from .auth import TokenAuth
from .errors import ApiProblem, from_validation, problem_response

DESCRIPTION = """API Koperasi Desa/Kelurahan Merah Putih (Kopdes).

Autentikasi: `Authorization: Bearer kpd_…` (token pribadi atau token perangkat).
Setiap penulisan wajib membawa header `Idempotency-Key`. Kesalahan berupa *problem details* (RFC 9457)
dengan pesan bahasa Indonesia (`message_id`) dan Inggris (`message_en`). Lihat docs/api.md.
"""

api = NinjaAPI(
    title="Kopdes API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="v1",
    openapi_url=None,
    docs_url=None,
)


@api.exception_handler(DomainError)
def _domain(request, exc: DomainError):
    return problem_response(exc)


@api.exception_handler(NinjaValidationError)
def _validation(request, exc: NinjaValidationError):
    return problem_response(from_validation(exc.errors))


@api.exception_handler(AuthenticationError)
def _auth(request, exc):
    return problem_response(ApiProblem(
        401, "Token tidak ada, tidak dikenal, dicabut atau kedaluwarsa.",
        "Missing, unknown, revoked or expired token.", code="unauthorized",
        headers={"WWW-Authenticate": 'Bearer realm="kopdes"'},
    ))


@api.exception_handler(Http404)
def _404(request, exc):
    return problem_response(ApiProblem(404, "Data tidak ditemukan.", "Not found.", code="not_found"))


@api.exception_handler(PermissionDenied)
def _403(request, exc):
    return problem_response(ApiProblem(403, "Anda tidak berwenang untuk tindakan ini.",
                                       "You are not allowed to do this.", code="forbidden"))


@api.exception_handler(HttpError)
def _http(request, exc: HttpError):
    return problem_response(ApiProblem(exc.status_code, str(exc), str(exc), code="http_error"))


def _register_routers() -> None:
    from .routers import core as core_router

    api.add_router("", core_router.router)
    for mod in core_router.optional_routers():
        api.add_router("", mod.router)


_register_routers()
