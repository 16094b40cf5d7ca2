"""Demo data for supervision (runs after the business units): formation milestones for the demo cooperative and for
a realistic share of the villages of Kabupaten Ogan Komering Ilir (recorded by the Dinas), a RAT, governance
indicators, a supervision visit with findings, and the demo cooperative's snapshot + health score from its books.
Idempotent: each part is created only when missing."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from kopdes.core import audit
from kopdes.core.audit import acting_as
from kopdes.core.models import Region

from . import services, snapshots, stats
from .models import (
    MILESTONE_KEYS,
    UNIT_CODES,
    AnnualMeetingReport,
    BuildingStatus,
    CoopSnapshot,
    GovernanceIndicator,
    RecordedVia,
    SupervisionVisit,
    VillageFormation,
)

OKI = "16.02"


def build(ctx) -> None:
    k = ctx.koperasi
    dinas = ctx.users.get("dinas_oki")
    with audit.bulk_mode():
        if not VillageFormation.objects.filter(region_id=k.region_id).exists():
            services.record_formation(k.region_id, {
                "formation_model": k.formation_model,
                "sosialisasi_date": dt.date(2025, 4, 22), "musdesus_date": dt.date(2025, 5, 10),
                "musdesus_attendance": 134, "musdesus_berita_acara": "BA/MUSDESUS/05/2025",
                "rapat_pendirian_date": k.founded_on or dt.date(2025, 6, 14), "rapat_pendirian_attendance": 27,
                "akta_date": k.akta_date or dt.date(2025, 6, 20), "akta_number": k.akta_number or "17",
                "notary_name": k.notary_name, "ahu_date": k.badan_hukum_date or dt.date(2025, 7, 2),
                "ahu_number": k.badan_hukum_number, "nib_date": dt.date(2025, 7, 10), "nib": k.nib,
                "npwp_date": dt.date(2025, 7, 15), "npwp": k.npwp, "rekening_date": dt.date(2025, 7, 21),
                "bank_name": k.bank_name, "bank_account": k.bank_account,
                "building_status": BuildingStatus.BEROPERASI,
                **{f"unit_{u}": dt.date(2025, 8, 1) for u in UNIT_CODES},
            }, via=RecordedVia.KOPERASI, today=ctx.today)
            ctx.say("pembentukan koperasi demo dicatat")
        n = _oki_villages(ctx)
        if n:
            ctx.say(f"pembentukan {n} desa di Kabupaten OKI dicatat")
    with acting_as(dinas, label="demo:supervision") if dinas else acting_as(label="demo:supervision"):
        if not AnnualMeetingReport.objects.filter(koperasi=k).exists() and ctx.today > dt.date(2026, 3, 21):
            services.record_rat(k, fiscal_year=2025, held_on=dt.date(2026, 3, 21), attendance=96,
                                note="RAT pertama: pengesahan laporan keuangan 2025", today=ctx.today)
        if dinas and not GovernanceIndicator.objects.filter(koperasi=k).exists():
            services.set_governance(k, year=ctx.today.year, by=dinas, scores={
                "rat": 4, "pengurus": 4, "rencana": 3, "laporan": 3, "pengawasan": 3, "sop": 2},
                notes={"sop": "SOP simpan pinjam belum ditandatangani pengurus"})
        if dinas and not SupervisionVisit.objects.filter(koperasi=k).exists():
            visit_date = min(ctx.today, dt.date(2026, 9, 17))
            services.record_visit(k, date=visit_date, by=dinas, today=ctx.today,
                                  purpose="Pembinaan rutin triwulan III",
                                  summary="Pembukuan tertib; perlu perbaikan SOP simpan pinjam dan arsip rapat.",
                                  findings=[
                {"area": "tata_kelola", "indicator": "Notulen rapat pengurus bulanan", "procedure": "Periksa arsip",
                 "evidence": "Buku notulen Jan–Agu 2026", "rating": "cukup",
                 "finding": "Notulen Juni dan Juli tidak ditandatangani.",
                 "recommendation": "Lengkapi tanda tangan dan arsipkan notulen.", "responsible": "Sekretaris",
                 "deadline": visit_date + dt.timedelta(days=30)},
                {"area": "simpan_pinjam", "indicator": "SOP pemberian pinjaman", "procedure": "Wawancara petugas",
                 "evidence": "Draf SOP", "rating": "tidak_sesuai",
                 "finding": "SOP belum disahkan; analisis 5C belum terdokumentasi.",
                 "recommendation": "Sahkan SOP dalam rapat pengurus; gunakan formulir analisis pinjaman.",
                 "responsible": "Ketua", "deadline": visit_date + dt.timedelta(days=45)},
                {"area": "keuangan", "indicator": "Kas sesuai buku kas", "procedure": "Hitung kas",
                 "evidence": "Berita acara cash opname", "rating": "sesuai", "finding": "Kas sesuai.",
                 "recommendation": "", "responsible": "Bendahara", "deadline": None},
            ])
        snap = CoopSnapshot.objects.filter(koperasi=k).first()
        if snap is None or snap.dirty:
            snap = snapshots.refresh_koperasi(k, today=ctx.today)
            ctx.say(f"skor kesehatan koperasi demo: {snap.health_score} ({snap.get_health_class_display()})")


def _oki_villages(ctx) -> int:
    """Formation records for ~85% of OKI's villages, at realistic stages, recorded by the Dinas (bulk)."""
    rng = random.Random(1602)
    have = set(VillageFormation.objects.filter(region__code__startswith=f"{OKI}.").values_list("region_id", flat=True))
    codes = list(Region.objects.filter(level=4, code__startswith=f"{OKI}.").values_list("code", flat=True)
                 .order_by("code"))
    rows = []
    now = timezone.now()
    for code in codes:
        r = random.Random(f"oki:{code}")
        if code in have or r.random() > 0.85:
            continue
        stage = rng.choice([1, 2, 2, 3, 4, 4, 5, 5, 5, 5, 6, 7, 8, 8])
        f = VillageFormation(region_id=code, recorded_via=RecordedVia.DINAS, updated_by=ctx.users.get("dinas_oki"),
                             updated_at=now, building_status=r.choice(["belum", "lahan", "lahan", "dibangun"]))
        d = dt.date(2025, 4, 10) + dt.timedelta(days=r.randint(0, 60))
        for i, key in enumerate(MILESTONE_KEYS):
            if i >= stage or d > ctx.today:
                break
            setattr(f, f"{key}_date", d)
            d += dt.timedelta(days=r.randint(3, 30))
        if f.musdesus_date:
            f.musdesus_attendance = r.randint(60, 220)
        f.stage = f.compute_stage()
        rows.append(f)
    if rows:
        with transaction.atomic():
            VillageFormation.objects.bulk_create(rows, batch_size=1000)
            audit.record("supervision.demo", summary=f"{len(rows)} desa OKI: data pembentukan demo")
        stats.rebuild()
    return len(rows)
