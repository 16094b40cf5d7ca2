"""Nationwide codes (see :class:`kopdes.core.models.GlobalCode`): claim a code for a tenant row, find the row's
cooperative from the code, release it when the row stops using it.

A claim is made inside the caller's transaction, in a savepoint, so a clash neither breaks the caller's transaction
nor leaves a half-written row: the caller draws a new code and tries again.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from .models import GlobalCode

Kind = GlobalCode.Kind


class CodeTaken(Exception):
    """The code is already used somewhere in the country."""


def claim(kind: str, code: str, *, koperasi_id: int, object_id: int) -> None:
    try:
        with transaction.atomic():
            GlobalCode.objects.create(kind=kind, code=code, koperasi_id=koperasi_id, object_id=object_id)
    except IntegrityError as exc:
        raise CodeTaken(f"{kind}:{code}") from exc


def resolve(kind: str, code: str) -> tuple[int, int] | None:
    """``(koperasi_id, object_id)`` of the row holding this code, or None."""
    return GlobalCode.objects.filter(kind=kind, code=code).values_list("koperasi_id", "object_id").first()


def release(kind: str, *, koperasi_id: int, object_id: int) -> None:
    """The row no longer uses its code(s) of this kind (a rotated token, a voided code)."""
    GlobalCode.objects.filter(kind=kind, koperasi_id=koperasi_id, object_id=object_id).delete()
