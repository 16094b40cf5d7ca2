"""English catalogues: no fuzzy leftovers, and no homonym silently overriding another app's meaning.

Django merges every app's catalogue into one per language (LOCALE_PATHS first, then apps in
INSTALLED_APPS order), so the same msgid translated two ways in two apps shows ONE of them
everywhere: "Kembali" on a receipt (change given) once rendered as "Back", and the region
dashboard's "Per Kabupaten/Kota" as "As of Regency/City". A word with two meanings gets a
context (``{% translate "Kembali" context "uang kembalian" %}`` / ``pgettext``); a msgid that is
merely worded differently by two apps (synonyms) is listed below on purpose.
"""

from __future__ import annotations

import gettext
from collections import defaultdict
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

ROOT = Path(__file__).resolve().parent.parent / "kopdes"
PO_FILES = sorted(ROOT.glob("*/locale/en/LC_MESSAGES/django.po")) + [ROOT / "locale/en/LC_MESSAGES/django.po"]

# Worded differently by different apps but meaning the same thing: either rendering is right.
SYNONYMS = {
    "Anggota", "Asal", "Barang", "Bayar", "Belum ada RAT tercatat.", "Berlaku", "Biaya perjalanan",
    "Dalam perjalanan", "Desa", "Desa/Kelurahan", "Desa/kelurahan", "Gerai sembako", "HP", "Hapus",
    "Jadwal angsuran", "Jasa modal", "Jasa simpanan", "Jasa usaha", "Jenis", "Jumlah", "Kedelai", "Keluar",
    "Keterangan", "Ketua", "Komoditas", "Laporan", "Lunas", "Masuk", "Menunggu", "NPWP", "Nilai", "Nomor HP",
    "Pembayaran", "Pendapatan", "Penerimaan barang", "Pengiriman", "Periode", "Pinjaman", "RAT", "RAT dicatat.",
    "Retur penjualan", "Ringkasan", "SHU", "Saldo awal", "Selesai", "Semua jenis", "Semua komoditas",
    "Simpan pinjam", "Simpanan pokok", "Simpanan wajib", "Tagihan simpanan wajib", "Terbit", "Transaksi",
    "Transaksi terakhir", "Tunggakan simpanan wajib", "Tunggakan wajib", "Uang dihitung (Rp)", "Wajib",
    "anggota", "asal", "barang", "berlaku mulai", "catatan", "dasar keputusan", "hapus", "jenis", "jumlah",
    "keterangan", "komoditas", "nama notaris", "nomor HP", "simpanan pokok", "tanggal RAT", "tanggal terbit",
    "transaksi", "ubah", "umum", "Tanggal RAT", "Tempat",
}


def test_every_app_has_a_compiled_english_catalogue():
    assert len(PO_FILES) >= 13
    for po in PO_FILES:
        assert po.with_suffix(".mo").exists(), po


def test_no_fuzzy_or_half_merged_entries():
    """msgmerge's guesses ("Simpan" -> "Savings & loans") must never ship as translations."""
    for po in PO_FILES:
        text = po.read_text(encoding="utf-8")
        assert "#, fuzzy" not in text.split("\n\n", 1)[1], f"fuzzy entry in {po}"
        assert "\n#| " not in text, f"previous-msgid leftover (an un-fuzzied guess) in {po}"


def test_no_homonym_overrides_another_apps_meaning():
    seen: dict[str, dict[str, str]] = defaultdict(dict)
    for po in PO_FILES:
        with open(po.with_suffix(".mo"), "rb") as fh:
            catalog = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
        for key, msgstr in catalog.items():
            if isinstance(key, str) and key and msgstr:
                seen[key][po.parts[-5]] = msgstr
    clashes = {k: v for k, v in seen.items() if len(set(v.values())) > 1 and k not in SYNONYMS}
    assert not clashes, (
        "same msgid translated differently by two apps; give the odd meaning a context "
        f"(pgettext / translate ... context): {clashes}"
    )


def test_homonyms_render_their_own_meaning():
    with translation.override("en"):
        assert _("Simpan") == "Save"
        assert pgettext("uang kembalian", "Kembali") == "Change" and _("Kembali") == "Back"
        assert pgettext("rincian wilayah", "Per") == "By" and _("Per") == "As of"
        assert pgettext("arus gudang", "Masuk") == "In" and _("Masuk") == "Log in"
        assert pgettext("status anggota", "Keluar") == "Left" and _("Keluar") == "Log out"
        assert pgettext("angsuran ke", "Ke") == "No."
        assert pgettext("tujuan pengiriman", "Tujuan") == "Destination" and _("Tujuan") == "Purpose"
        assert pgettext("status", "Batal") == "Cancelled" and _("Batal") == "Cancel"
        assert pgettext("kuantitas", "Jumlah") == "Quantity"
        assert _("Profil koperasi") == "Cooperative profile"
