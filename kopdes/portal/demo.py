"""Portal demo: announcements of the board, and the demo member login ``anggota`` (password ``kopdes-demo``)
marked as activated. Idempotent: announcements are created only when the cooperative has none."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kopdes.core import audit
from kopdes.core.models import User

from .models import Announcement, PortalLogin


def _announcements(ctx) -> list[dict]:
    today = ctx.today
    year = today.year
    rat = dt.date(year + 1, 3, 14) if today.month > 3 else dt.date(year, 3, 14)
    return [
        {"kind": Announcement.Kind.RAT, "pinned": True, "title": f"Undangan Rapat Anggota Tahunan (RAT) {rat:%Y}",
         "event_date": rat, "published_on": today - dt.timedelta(days=3),
         "body": (f"Seluruh anggota diundang menghadiri RAT tahun buku {rat.year - 1} pada hari Sabtu, "
                  f"{rat:%d-%m-%Y} pukul 09.00 WIB di Balai Desa Surya Adi. Agenda: laporan pertanggungjawaban "
                  "pengurus dan pengawas, pengesahan laporan keuangan, pembagian SHU, rencana kerja dan anggaran. "
                  "Satu anggota satu suara; bawa kartu anggota.")},
        {"kind": Announcement.Kind.PRODUK, "title": "Produk baru di gerai: beras SPHP dan minyak goreng kemasan 2 L",
         "published_on": today - dt.timedelta(days=10),
         "body": "Gerai sembako kini menjual beras SPHP (HET Rp12.500/kg) dan minyak goreng kemasan 2 liter. "
                 "Belanja anggota dihitung untuk jasa usaha SHU."},
        {"kind": Announcement.Kind.HARGA, "title": "Penyesuaian harga pupuk bersubsidi (HET baru)",
         "published_on": today - dt.timedelta(days=20),
         "body": "Sesuai ketentuan pemerintah, HET pupuk bersubsidi: Urea Rp1.800/kg (Rp90.000 per sak 50 kg), "
                 "NPK Rp1.840/kg (Rp92.000 per sak 50 kg), Organik Rp640/kg. Penebusan dengan NIK sesuai "
                 "alokasi RDKK; lihat sisa alokasi Anda di menu Pupuk."},
        {"kind": Announcement.Kind.UMUM, "title": "Portal anggota: lihat simpanan dan pinjaman dari HP",
         "published_on": today - dt.timedelta(days=30),
         "body": "Minta kode aktivasi di kantor koperasi, lalu buat PIN Anda sendiri. Jangan berikan PIN kepada "
                 "siapa pun, termasuk petugas koperasi."},
    ]


def build(ctx) -> None:
    k = ctx.koperasi
    with audit.bulk_mode(), transaction.atomic():
        if not Announcement.objects.filter(koperasi=k).exists():
            by = ctx.users.get("sekretaris")
            for a in _announcements(ctx):
                Announcement.objects.create(koperasi=k, created_by=by, **a)
            audit.record("demo", koperasi_id=k.pk, summary="Demo: pengumuman portal anggota")
            ctx.say("portal: 4 pengumuman pengurus")
        user = User.objects.filter(username="anggota").first()
        if user is not None:
            state, created = PortalLogin.objects.get_or_create(user=user)
            if created or state.activated_at is None:
                state.activated_at = timezone.now()
                state.save(update_fields=["activated_at"])
                ctx.say("portal: login anggota / kopdes-demo aktif (juga lewat /portal/masuk/ dengan nomor HP)")
