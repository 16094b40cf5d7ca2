"""Health scoring (Permenkop 9/2020 aspects, Juknis 15/2021 style indicators scored 1–4) and early warnings.

Everything here is a pure function of a snapshot's figures + the configuration, so the same code scores a
cooperative from its books, 80,000 simulated ones in bulk, and the tests.

Defaults follow ``DOMAIN.md``: aspects tata kelola 30 / profil risiko 15 / kinerja keuangan 40 / permodalan 15
(*inferred* weights — configurable), ratio bands for problem loans, loans/productive assets and equity/assets, and
class thresholds of the older scheme (80 / 66 / 51). Values marked *unconfirmed* are configuration, not law.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

DEFAULT_CONFIG: dict = {
    "weights": {"tata_kelola": 30, "profil_risiko": 15, "kinerja_keuangan": 40, "permodalan": 15},
    # bands: list of [upper_or_lower_bound, score]; "lower_better" means value <= bound gets the score
    "bands": {
        "npl": {"direction": "lower_better", "limits": [5, 10, 15], "label": "Pinjaman bermasalah / pinjaman (%)"},
        "loan_to_assets": {"direction": "lower_better", "limits": [75, 85, 95],
                           "label": "Pinjaman / aset produktif (%)"},
        "equity_ratio": {"direction": "higher_better", "limits": [30, 20, 10], "label": "Ekuitas / aset (%)"},
        "roa": {"direction": "higher_better", "limits": [3, 1, 0], "label": "SHU / aset (%) — *tidak resmi*"},
        "wajib_compliance": {"direction": "higher_better", "limits": [90, 75, 50],
                             "label": "Anggota tertib simpanan wajib (%) — *tidak resmi*"},
    },
    "classes": {"sehat": 80, "cukup": 66, "pengawasan": 51},
    "thresholds": {
        "npl_pct": 10,  # warning when NPL ratio is above this
        "inactive_days": 30,  # warning when an active cooperative posts nothing for this long
        "wajib_arrears_pct": 30,  # warning when this share of members is behind on simpanan wajib
        "cash_difference": 100000,  # warning when cash shortages in 90 days exceed this (rupiah)
        "rat_months": 6,  # RAT approving the accounts within this many months after year end
    },
}

ASPECT_LABELS = {
    "tata_kelola": _("Tata kelola"),
    "profil_risiko": _("Profil risiko"),
    "kinerja_keuangan": _("Kinerja keuangan"),
    "permodalan": _("Permodalan"),
}


def current_config() -> dict:
    """The newest saved configuration merged over the defaults."""
    from .models import HealthConfig

    cfg = copy.deepcopy(DEFAULT_CONFIG)
    row = HealthConfig.objects.order_by("-created_at", "-id").first()
    if row is not None:
        for part in ("weights", "bands", "classes", "thresholds"):
            cfg[part].update(getattr(row, part) or {})
    return cfg


def band_score(value: Decimal | float | None, band: dict) -> int | None:
    if value is None:
        return None
    v = Decimal(str(value))
    limits = [Decimal(str(x)) for x in band["limits"]]
    if band["direction"] == "lower_better":
        for i, lim in enumerate(limits):
            if v <= lim:
                return 4 - i
        return 1
    for i, lim in enumerate(limits):
        if v > lim:
            return 4 - i
    return 1


def _pct(a: Decimal, b: Decimal) -> Decimal | None:
    if not b:
        return None
    return (Decimal(a) * 100 / Decimal(b)).quantize(Decimal("0.01"))


@dataclass
class Figures:
    """What scoring needs; built from a ``CoopSnapshot`` (or plain values in bulk)."""

    loans: Decimal
    npl_amount: Decimal
    npl_ratio: Decimal | None
    assets: Decimal
    equity: Decimal
    result: Decimal
    members: int
    wajib_arrears_members: int
    last_rat_date: dt.date | None
    last_activity_date: dt.date | None
    cash_difference: Decimal
    governance: list[int]  # manual scores 1–4 entered by the Dinas
    fiscal_year_start_month: int = 1
    founded_on: dt.date | None = None
    active: bool = True

    @classmethod
    def from_snapshot(cls, snap, *, governance: list[int] | None = None, koperasi=None) -> Figures:
        k = koperasi or snap.koperasi
        return cls(
            loans=snap.loans_outstanding, npl_amount=snap.npl_amount, npl_ratio=snap.npl_ratio, assets=snap.assets,
            equity=snap.equity, result=snap.result, members=snap.members,
            wajib_arrears_members=snap.wajib_arrears_members, last_rat_date=snap.last_rat_date,
            last_activity_date=snap.last_activity_date, cash_difference=snap.cash_difference,
            governance=governance or [], fiscal_year_start_month=k.fiscal_year_start_month,
            founded_on=k.founded_on or (k.created_at.date() if k.created_at else None),
            active=k.status == "aktif",
        )


def last_closed_year_end(today: dt.date, start_month: int = 1) -> dt.date:
    """End of the last complete fiscal year."""
    start_this = dt.date(today.year if today.month >= start_month else today.year - 1, start_month, 1)
    return start_this - dt.timedelta(days=1)


def rat_due(today: dt.date, start_month: int, months: int) -> tuple[dt.date, dt.date]:
    """(year end, deadline) of the RAT that must have approved the last closed year's accounts."""
    ye = last_closed_year_end(today, start_month)
    m = ye.month + months
    y = ye.year + (m - 1) // 12
    m = (m - 1) % 12 + 1
    import calendar

    deadline = dt.date(y, m, calendar.monthrange(y, m)[1])
    return ye, deadline


def rat_on_time(f: Figures, today: dt.date, cfg: dict) -> bool | None:
    """None if no RAT was due yet (founded after the last closed year)."""
    ye, deadline = rat_due(today, f.fiscal_year_start_month, int(cfg["thresholds"]["rat_months"]))
    if f.founded_on and f.founded_on > ye:
        return None
    if f.last_rat_date and f.last_rat_date > ye:
        return True
    if today <= deadline:
        return None  # still within the period allowed
    return False


def score(f: Figures, today: dt.date, cfg: dict | None = None) -> tuple[Decimal, str, list[dict]]:
    """(score 0–100, class, breakdown). Each breakdown row: aspect, key, label, value, score (1–4), note."""
    cfg = cfg or DEFAULT_CONFIG
    bands = cfg["bands"]
    rows: list[dict] = []

    def add(aspect, key, label, value, s, note=""):
        rows.append({"aspect": aspect, "key": key, "label": label,
                     "value": None if value is None else str(value), "score": s, "note": note})

    # tata kelola: manual indicators + RAT on time
    rat = rat_on_time(f, today, cfg)
    add("tata_kelola", "rat", "RAT tepat waktu", None if rat is None else ("ya" if rat else "tidak"),
        None if rat is None else (4 if rat else 1), "" if rat is not None else "belum jatuh tempo")
    if f.governance:
        avg = Decimal(sum(f.governance)) / len(f.governance)
        add("tata_kelola", "governance", "Indikator tata kelola (Dinas)", avg.quantize(Decimal("0.01")),
            int(avg.quantize(Decimal("1"))), f"{len(f.governance)} indikator")
    # profil risiko
    if f.loans > 0:
        npl = f.npl_ratio if f.npl_ratio is not None else _pct(f.npl_amount, f.loans)
        add("profil_risiko", "npl", bands["npl"]["label"], npl, band_score(npl, bands["npl"]))
    else:
        add("profil_risiko", "npl", bands["npl"]["label"], None, 4, "tidak ada pinjaman beredar")
    # kinerja keuangan
    lta = _pct(f.loans, f.assets) if f.assets > 0 else None
    add("kinerja_keuangan", "loan_to_assets", bands["loan_to_assets"]["label"], lta,
        band_score(lta, bands["loan_to_assets"]) if lta is not None else None)
    roa = _pct(f.result, f.assets) if f.assets > 0 else None
    add("kinerja_keuangan", "roa", bands["roa"]["label"], roa, band_score(roa, bands["roa"]) if roa is not None
        else None)
    if f.members > 0:
        comp = _pct(Decimal(f.members - f.wajib_arrears_members), Decimal(f.members))
        add("kinerja_keuangan", "wajib_compliance", bands["wajib_compliance"]["label"], comp,
            band_score(comp, bands["wajib_compliance"]))
    # permodalan
    er = _pct(f.equity, f.assets) if f.assets > 0 else None
    add("permodalan", "equity_ratio", bands["equity_ratio"]["label"], er,
        band_score(er, bands["equity_ratio"]) if er is not None else (1 if f.equity < 0 else None))

    weights = cfg["weights"]
    total_w = Decimal(0)
    total = Decimal(0)
    for aspect, w in weights.items():
        scores = [r["score"] for r in rows if r["aspect"] == aspect and r["score"] is not None]
        if not scores:
            continue
        w = Decimal(str(w))
        total_w += w
        total += w * (Decimal(sum(scores)) / len(scores)) / 4
    if total_w == 0:
        return Decimal(0), "belum", rows
    value = (total * 100 / total_w).quantize(Decimal("0.01"))
    for r in rows:
        r["weight"] = weights.get(r["aspect"], 0)
    return value, classify(value, cfg), rows


def classify(value: Decimal, cfg: dict) -> str:
    c = cfg["classes"]
    if value >= Decimal(str(c["sehat"])):
        return "sehat"
    if value >= Decimal(str(c["cukup"])):
        return "cukup"
    if value >= Decimal(str(c["pengawasan"])):
        return "pengawasan"
    return "khusus"


def warnings(f: Figures, today: dt.date, cfg: dict | None = None) -> dict[str, str]:
    """Early warnings: ``{code: reason}`` (Indonesian)."""
    cfg = cfg or DEFAULT_CONFIG
    t = cfg["thresholds"]
    out: dict[str, str] = {}
    if rat_on_time(f, today, cfg) is False:
        ye, deadline = rat_due(today, f.fiscal_year_start_month, int(t["rat_months"]))
        out["no_rat"] = (f"RAT tahun buku {ye.year} belum dilaksanakan (batas {deadline:%d-%m-%Y}); "
                         f"RAT terakhir: {f.last_rat_date:%d-%m-%Y}" if f.last_rat_date else
                         f"RAT tahun buku {ye.year} belum dilaksanakan (batas {deadline:%d-%m-%Y})")
    if f.loans > 0:
        npl = f.npl_ratio if f.npl_ratio is not None else _pct(f.npl_amount, f.loans)
        if npl is not None and npl > Decimal(str(t["npl_pct"])):
            out["npl"] = f"NPL {str(npl).replace('.', ',')}% di atas batas {t['npl_pct']}%"
    if f.equity < 0:
        out["neg_equity"] = f"Ekuitas negatif: Rp{int(f.equity):,}".replace(",", ".")
    if f.cash_difference > Decimal(str(t["cash_difference"])):
        out["cash_diff"] = f"Selisih kurang kas 90 hari terakhir Rp{int(f.cash_difference):,}".replace(",", ".")
    if f.active:
        days = int(t["inactive_days"])
        if f.last_activity_date is None:
            out["inactive"] = "Belum pernah ada transaksi tercatat"
        elif (today - f.last_activity_date).days > days:
            out["inactive"] = (f"Tidak ada transaksi selama {(today - f.last_activity_date).days} hari "
                               f"(terakhir {f.last_activity_date:%d-%m-%Y})")
    if f.members > 0:
        ratio = Decimal(f.wajib_arrears_members) * 100 / f.members
        if ratio > Decimal(str(t["wajib_arrears_pct"])):
            out["wajib_arrears"] = (f"{f.wajib_arrears_members} dari {f.members} anggota menunggak simpanan wajib "
                                    f"({ratio.quantize(Decimal('0.1'))}%)".replace(".", ","))
    return out
