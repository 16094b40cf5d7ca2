"""Loading and querying the Kemendagri region table."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

from django.db import transaction

from .models import Region

DATA_FILE = Path(__file__).parent / "data" / "wilayah.csv.gz"
EXPECTED_COUNTS = {1: 38, 2: 514, 3: 7285, 4: 83762}


def read_region_rows(path: Path | None = None) -> list[tuple[str, str, int, str | None]]:
    path = Path(path or DATA_FILE)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8")
        rows = []
        for rec in csv.DictReader(text):
            code = rec["kode"].strip()
            name = rec["nama"].strip()
            if not code:
                continue
            level = code.count(".") + 1
            parent = code.rsplit(".", 1)[0] if level > 1 else None
            rows.append((code, name, level, parent))
    rows.sort(key=lambda r: (r[2], r[0]))
    return rows


def load_regions(path: Path | None = None, *, batch_size: int = 5000) -> dict[int, int]:
    """Upsert every region (bulk, idempotent). Returns the count per level after loading."""
    rows = read_region_rows(path)
    existing = dict(Region.objects.values_list("code", "name"))
    to_create = [Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in rows if c not in existing]
    to_update = [Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in rows if c in existing and existing[c] != n]
    with transaction.atomic():
        Region.objects.bulk_create(to_create, batch_size=batch_size)
        if to_update:
            Region.objects.bulk_update(to_update, ["name"], batch_size=batch_size)
    return region_counts()


def region_counts() -> dict[int, int]:
    from django.db.models import Count

    counts = dict(Region.objects.values_list("level").annotate(n=Count("code")).values_list("level", "n"))
    return {lvl: counts.get(lvl, 0) for lvl in (1, 2, 3, 4)}


def regions_loaded() -> bool:
    return Region.objects.filter(level=4).exists()
