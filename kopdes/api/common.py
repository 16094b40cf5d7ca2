"""Shared API pieces: problem schema, pagination, idempotent writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from urllib.parse import urlencode

from ninja import Field, Schema, Status
from pydantic import AfterValidator, create_model

from kopdes.core.audit import acting_as
from kopdes.core.idempotency import run_idempotent
from kopdes.core.middleware import client_ip

from .auth import principal

CENT = Decimal("0.01")
#: rupiah amounts: always two decimals in JSON (``"150000.00"``)
Money = Annotated[Decimal, AfterValidator(lambda d: d.quantize(CENT))]


class Problem(Schema):
    """RFC 9457 problem details, in Indonesian (``detail``, ``message_id``) and English (``title``, ``message_en``)."""

    type: str
    title: str
    status: int
    detail: str
    message_id: str
    message_en: str
    field: str | None = None
    code: str


def errors(*codes: int) -> dict:
    """Every operation may answer 400 (a business refusal, or a parameter with a control character: see
    ``kopdes.core.filters.QueryTextMiddleware``), 401, 403, 404, 422 and 429 with a problem document."""
    base = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}
    for c in codes:
        base[c] = Problem
    return base


def responses(ok, *codes: int, status: int = 200) -> dict:
    return {status: ok, **errors(*codes)}


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=200, description="Jumlah baris per halaman (1–200). / Page size.")
    offset: int = Field(0, ge=0, le=10_000_000, description="Lewati sekian baris. / Rows to skip.")


_PAGES: dict[type, type] = {}


def Paged(item: type) -> type:  # noqa: N802 - reads like a type
    if item not in _PAGES:
        _PAGES[item] = create_model(
            f"{item.__name__}Page", __base__=Schema,
            count=(int, ...), items=(list[item], ...), next=(str | None, None),
        )
    return _PAGES[item]


def paginate(request, qs, page: PageQuery, to_item) -> dict:
    """``{count, items, next}``: ``next`` is the URL of the next page (same filters), or null."""
    count = len(qs) if isinstance(qs, list) else qs.count()
    rows = list(qs[page.offset:page.offset + page.limit])
    nxt = None
    if page.offset + len(rows) < count:
        params = request.GET.copy()
        params["offset"] = str(page.offset + page.limit)
        params["limit"] = str(page.limit)
        nxt = request.build_absolute_uri(request.path) + "?" + urlencode(sorted(params.items()))
    return {"count": count, "items": [to_item(r) for r in rows], "next": nxt}


def idempotent(request, koperasi, scope: str, key: str, payload: dict, fn, *, status: int = 201):
    """Run a write once per client key: same key + same body → the first result; different body → 409."""
    p = principal(request)
    owner = f"d{p.device.pk}" if p.is_device else f"u{p.token.user_id}"
    with acting_as(p.user, label=p.label,
                   ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")):
        result, replayed = run_idempotent(
            koperasi, f"api.{scope}", key, payload, lambda: {"status": status, "body": fn()}, owner=owner,
        )
    request.idempotent_replayed = replayed
    return Status(result["status"], result["body"])
