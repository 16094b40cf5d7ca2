"""Dashboard widgets: each app contributes cards to a cooperative's home page.

A widget is a function ``(request) -> dict | None`` returning ``{"title", "template", "context", "order"}``;
it must read only ``request.koperasi`` data and respect ``request.access``.
"""

from __future__ import annotations

from collections.abc import Callable

_WIDGETS: list[Callable] = []


def register_widget(fn: Callable) -> Callable:
    if fn not in _WIDGETS:
        _WIDGETS.append(fn)
    return fn


def collect_widgets(request) -> list[dict]:
    out = []
    for fn in _WIDGETS:
        w = fn(request)
        if w:
            out.append(w)
    return sorted(out, key=lambda w: w.get("order", 100))
