"""The side menu of a cooperative: each app registers its own entries in ``AppConfig.ready``."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuItem:
    section: str
    label: str
    url_name: str
    icon: str = "circle"
    unit: str | None = None  # shown only to users who can read this unit
    order: int = 100
    clinical: bool = False  # shown only to clinical staff (medical content)
    write_units: tuple[str, ...] = ()  # a data-entry page: shown only to users who may write in one of these units


SECTIONS = ["Koperasi", "Anggota & Simpanan", "Unit usaha", "Akuntansi", "Laporan", "Pengaturan"]
SECTION_LABELS = {
    "Koperasi": _("Koperasi"),
    "Anggota & Simpanan": _("Anggota & Simpanan"),
    "Unit usaha": _("Unit usaha"),
    "Akuntansi": _("Akuntansi"),
    "Laporan": _("Laporan"),
    "Pengaturan": _("Pengaturan"),
}
_REGISTRY: list[MenuItem] = []


def register(item: MenuItem) -> None:
    if item not in _REGISTRY:
        _REGISTRY.append(item)


def menu_for(koperasi, access) -> list[tuple[str, list[dict]]]:
    out: dict[str, list[dict]] = {}
    for item in sorted(_REGISTRY, key=lambda i: (i.order, i.label)):
        if item.unit and not access.can_read(item.unit):
            continue
        if item.clinical and not getattr(access, "is_clinical", False):
            continue
        if item.write_units and not any(access.can_write(str(u)) for u in item.write_units):
            continue
        try:
            url = reverse(item.url_name, kwargs={"slug": koperasi.slug})
        except NoReverseMatch:
            continue
        out.setdefault(item.section, []).append({"label": item.label, "url": url, "icon": item.icon})
    order = {s: i for i, s in enumerate(SECTIONS)}
    return [(SECTION_LABELS.get(s, s), items) for s, items in sorted(out.items(), key=lambda kv: order.get(kv[0], 99))]
