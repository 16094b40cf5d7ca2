from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from . import filters
from .navigation import menu_for


def kopdes(request):
    koperasi = getattr(request, "koperasi", None)
    access = getattr(request, "access", None)
    ctx = {"koperasi": koperasi, "access": access,
           "filter_errors": SimpleLazyObject(lambda: filters.errors_of(request))}
    if koperasi is not None and access is not None:
        ctx["menu"] = SimpleLazyObject(lambda: menu_for(koperasi, access))
    return ctx
