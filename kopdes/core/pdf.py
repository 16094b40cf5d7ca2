"""ReportLab text that came from people (names, addresses, memos) is text, never markup.

A ReportLab ``Paragraph`` reads its string as mini-HTML: ``<img src="/any/file.png">`` embeds any image the server
can read, ``<font>``/``<link>`` change the page, and an unbalanced ``">`` makes the build fail. Every ``Paragraph``
therefore gets user text only through :func:`esc` (or :func:`para` for a whole paragraph of plain text, or
:func:`markup` to put escaped values into a fixed template).
"""

from __future__ import annotations

from typing import Any

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}


def esc(value: Any) -> str:
    """``value`` as text inside Paragraph markup (``None`` → empty); line breaks become ``<br/>``."""
    if value is None:
        return ""
    text = "".join(_ENTITIES.get(ch, ch) for ch in str(value))
    # control characters other than the line break have no place in a printed page (and upset the parser)
    text = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32)
    return text.replace("\n", "<br/>")


def markup(template: str, *args: Any, **kwargs: Any) -> str:
    """``template.format(...)`` with every value escaped: ``markup("<b>{}</b>", koperasi.name)``. The template itself
    is the program's markup; the values are text."""
    return template.format(*(esc(a) for a in args), **{k: esc(v) for k, v in kwargs.items()})


def para(text: Any, style, **kwargs: Any):
    """A ``Paragraph`` of plain text (no markup at all)."""
    from reportlab.platypus import Paragraph  # noqa: PLC0415 - ReportLab loads only when a PDF is made

    return Paragraph(esc(text), style, **kwargs)
