"""Document numbers: one counter row per (cooperative, series, year), for every unit.

    from kopdes.core import numbering
    n = numbering.next_value(koperasi, "loans.BYR", day.year)        # 1, 2, 3 … in this cooperative and year
    number = f"BYR-{day.year}-{n:05d}"
    first = numbering.reserve(koperasi, "members.AGT", 0, count=250)  # a block for a bulk import: first … first+249

The number comes from a single statement, ``INSERT … ON CONFLICT (koperasi_id, series, year) DO UPDATE SET
last = last + n RETURNING last``: one round trip, no read-then-write window. On PostgreSQL (and Citus: the row is
on its cooperative's shard) the upserted row stays locked until the calling transaction ends, so a concurrent
document of the same series waits and gets the next number, and a rollback takes the number back with the
document — the series is gap-free, as the law wants for journals and receipts. On SQLite writers are serialised;
``RETURNING`` needs SQLite 3.35+. Always call inside the transaction that writes the document
(``transaction.atomic``); outside one the number would be committed on its own.

``guard``: an SQL condition (with its parameters) evaluated in the same statement; when it is false nothing
changes and :func:`reserve` returns ``None`` (the ledger refuses dates in closed periods this way without a second
round trip).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection, migrations

from .models import DocumentCounter, Koperasi

TABLE = DocumentCounter._meta.db_table


def _kid(koperasi: Koperasi | int) -> int:
    return koperasi if isinstance(koperasi, int) else koperasi.pk


def reserve(koperasi: Koperasi | int, series: str, year: int = 0, *, count: int = 1,
            guard: tuple[str, list] | None = None) -> int | None:
    """Take ``count`` consecutive numbers of the series; returns the first (``None`` when ``guard`` refused)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    if not connection.in_atomic_block:
        raise RuntimeError("document numbers are taken inside the transaction that writes the document")
    where, params = guard if guard is not None else ("1 = 1", [])
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {TABLE} (koperasi_id, series, year, last) SELECT %s, %s, %s, %s WHERE {where} "
            f"ON CONFLICT (koperasi_id, series, year) DO UPDATE SET last = {TABLE}.last + excluded.last "
            "RETURNING last",
            [_kid(koperasi), series, int(year), int(count), *params],
        )
        row = cur.fetchone()
    return int(row[0]) - count + 1 if row else None


def next_value(koperasi: Koperasi | int, series: str, year: int = 0) -> int:
    """The next number of the series (1 for the first document)."""
    value = reserve(koperasi, series, year)
    assert value is not None
    return value


def current(koperasi: Koperasi | int, series: str, year: int = 0) -> int:
    """The last number taken (0 when none): for display and checks, never to number a document."""
    return (DocumentCounter.objects.filter(koperasi_id=_kid(koperasi), series=series, year=year)
            .values_list("last", flat=True).first() or 0)


def seed(koperasi_id: int, series: str, year: int, last: int, *, using=None) -> None:
    """Raise a counter to at least ``last`` (migrations and bulk loads that wrote numbers themselves). ``using``:
    the connection (a migration's ``schema_editor.connection``)."""
    with (using or connection).cursor() as cur:
        cur.execute(
            f"INSERT INTO {TABLE} (koperasi_id, series, year, last) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT (koperasi_id, series, year) DO UPDATE SET last = "
            f"CASE WHEN excluded.last > {TABLE}.last THEN excluded.last ELSE {TABLE}.last END",
            [koperasi_id, series, int(year), int(last)],
        )


def seed_from_numbers(rows: Iterable[tuple[int, str]], series: str, *, pattern: str, using=None,
                      year: int | None = None) -> None:
    """Seed counters from documents numbered before the counter existed: ``rows`` = ``(koperasi_id, number)``;
    ``pattern`` a regex with groups ``year`` (optional) and ``n``. Keeps the highest per cooperative and year."""
    rx = re.compile(pattern)
    top: dict[tuple[int, int], int] = {}
    for kid, number in rows:
        m = rx.fullmatch(number or "")
        if not m:
            continue
        y = int(m.group("year")) if "year" in rx.groupindex else (year or 0)
        key = (kid, y)
        top[key] = max(top.get(key, 0), int(m.group("n")))
    for (kid, y), last in top.items():
        seed(kid, series, y, last, using=using)


def move_counter_table(app: str, model: str, name_field: str) -> migrations.RunPython:
    """The ``RunPython`` of a migration that retires an app's own counter table: every row becomes the counter of
    series ``<app>.<name>`` (and back, when the migration is reversed). Then the migration deletes ``model``."""

    def forward(apps, schema_editor):
        old = apps.get_model(app, model)
        for kid, name, year, last in old.objects.values_list("koperasi_id", name_field, "year", "last"):
            seed(kid, f"{app}.{name}", year, last, using=schema_editor.connection)

    def backward(apps, schema_editor):
        old = apps.get_model(app, model)
        counters = apps.get_model("core", "DocumentCounter").objects.filter(series__startswith=f"{app}.")
        for c in counters:
            old.objects.update_or_create(koperasi_id=c.koperasi_id, year=c.year,
                                         defaults={"last": c.last},
                                         **{name_field: c.series.split(".", 1)[1]})

    return migrations.RunPython(forward, backward)
