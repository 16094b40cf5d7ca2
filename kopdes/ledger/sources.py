"""Drill-down from a journal entry to its source document: units register how to link their sources.

    from kopdes.ledger.sources import register_source
    register_source("retail.Sale", lambda koperasi, source_id: reverse("retail:sale", args=[koperasi.slug, source_id]))

The ledger itself registers a link for every source the units post today (``DEFAULT_SOURCES`` below), looked up
lazily by model label and URL name, so a unit that registers its own resolver simply overrides the default.
Sources without a page of their own (a stock count, a billing run…) link to the unit's list page for them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

_SOURCES: dict[str, tuple[Callable, bool]] = {}
LABELS = {
    "ledger.ManualJournal": _("Jurnal memorial"),
    "ledger.Opening": _("Saldo awal"),
    "ledger.CashCount": _("Kas opname"),
    "ledger.Transfer": _("Pemindahan kas"),
    "ledger.YearClose": _("Jurnal penutup tahun"),
    "ledger.ShuAllocation": _("Alokasi SHU"),
    "ledger.ShuPayout": _("Pembayaran SHU"),
    "ledger.Demo": _("Data demo"),
    "retail.Sale": _("Penjualan"),
    "retail.SaleReturn": _("Retur penjualan"),
    "retail.Shift": _("Shift kasir"),
    "retail.Credit": _("Pelunasan bon"),
    "retail.GoodsReceipt": _("Penerimaan barang"),
    "retail.SupplierPayment": _("Pembayaran pemasok"),
    "retail.PurchaseReturn": _("Retur pembelian"),
    "retail.WriteOff": _("Penghapusan persediaan"),
    "retail.StockCount": _("Stok opname"),
    "retail.Opening": _("Saldo awal persediaan"),
    "retail.Transfer": _("Mutasi stok"),
    "savings.Receipt": _("Bukti setoran/penarikan simpanan"),
    "savings.BillingRun": _("Tagihan simpanan wajib"),
    "savings.JasaRun": _("Jasa simpanan"),
    "savings.OpeningBalance": _("Saldo awal simpanan"),
    "members.Settlement": _("Penyelesaian anggota keluar"),
    "loans.Loan": _("Pinjaman"),
    "loans.Repayment": _("Angsuran pinjaman"),
    "loans.AgeingRun": _("Penyisihan piutang"),
    "loans.BankFacility": _("Pembiayaan bank"),
    "loans.BankInstallment": _("Angsuran pembiayaan bank"),
    "clinic.Visit": _("Kunjungan klinik"),
    "warehouse.Release": _("Pengeluaran barang titipan"),
    "logistics.DeliveryOrder": _("Pengiriman"),
    "logistics.DeliveryStock": _("Barang yang dikirim (HPP)"),
    "logistics.TripCost": _("Biaya perjalanan"),
    "logistics.MaintenanceRecord": _("Perawatan kendaraan"),
}


def register_source(source: str, url_fn: Callable, label: str | None = None, *, with_entry: bool = False) -> None:
    """``url_fn(koperasi, source_id)`` (or ``url_fn(koperasi, source_id, entry)`` with ``with_entry``) → URL."""
    _SOURCES[source] = (url_fn, with_entry)
    if label:
        LABELS[source] = label


def is_registered(source: str) -> bool:
    return source in _SOURCES


def source_url(koperasi, source: str, source_id: str, entry=None) -> str | None:
    reg = _SOURCES.get(source)
    if reg is None:
        return None
    fn, with_entry = reg
    try:
        return fn(koperasi, source_id, entry) if with_entry else fn(koperasi, source_id)
    except (NoReverseMatch, ValueError, TypeError, LookupError):
        return None


# --- defaults for the units' sources ------------------------------------------------------------------------

def _url(name: str, koperasi, *args) -> str:
    return reverse(name, args=[koperasi.slug, *args])


def _row(label: str, koperasi, **filters):
    """One row of another app's model in this cooperative (None when absent or the app is not installed)."""
    model = apps.get_model(label)
    return model.objects.filter(koperasi=koperasi, **filters).first()


def _pk(source_id) -> int:
    return int(str(source_id).split(":")[0])


def _direct(url_name: str) -> Callable:
    return lambda k, sid: _url(url_name, k, _pk(sid))


def _list(url_name: str) -> Callable:
    return lambda k, sid: _url(url_name, k)


def _via(model: str, field: str, url_name: str, *, lookup: str = "pk") -> Callable:
    def fn(k, sid):
        row = _row(model, k, **{lookup: sid if lookup != "pk" else _pk(sid)})
        return _url(url_name, k, getattr(row, field)) if row is not None else None
    return fn


def _sale(k, sid):
    disp = _row("pharmacy.Dispensing", k, sale_id=_pk(sid)) if apps.is_installed("kopdes.pharmacy") else None
    if disp is not None:
        return _url("pharmacy:dispensing_detail", k, disp.pk)
    return _url("retail:sale", k, _pk(sid))


def _settlement(k, sid, entry):
    """Two posters use this source: the savings refund (id = member) and the payout (id = settlement). The
    member on the entry's lines tells which settlement it is."""
    member_id = None
    if entry is not None:
        member_id = entry.lines.filter(member_id__isnull=False).values_list("member_id", flat=True).first()
    row = _row("members.Settlement", k, member_id=member_id) if member_id else _row("members.Settlement", k,
                                                                                      pk=_pk(sid))
    if row is not None:
        return _url("members:settlement", k, row.pk)
    return _url("members:detail", k, member_id) if member_id else None


def _manual(koperasi, source_id):
    return reverse("ledger:manual_detail", kwargs={"slug": koperasi.slug, "pk": int(source_id)})


DEFAULT_SOURCES: dict[str, Callable] = {
    "ledger.ManualJournal": _manual,
    "ledger.CashCount": _list("ledger:cash"),
    "ledger.Transfer": _list("ledger:cash"),
    "ledger.Opening": _list("ledger:opening"),
    "ledger.YearClose": _list("ledger:periods"),
    "ledger.ShuAllocation": lambda k, sid: _url("ledger:shu", k) + f"?year={int(sid)}",
    "ledger.ShuPayout": lambda k, sid: _url("ledger:shu", k) + f"?year={int(sid)}",
    "retail.Sale": _sale,
    "retail.SaleReturn": _via("retail.SaleReturn", "sale_id", "retail:sale"),
    "retail.Shift": _direct("retail:shift"),
    "retail.Credit": _list("retail:sales"),
    "retail.GoodsReceipt": _list("retail:purchases"),
    "retail.SupplierPayment": _list("retail:purchases"),
    "retail.PurchaseReturn": _list("retail:purchases"),
    "retail.WriteOff": _list("retail:stock_ops"),
    "retail.StockCount": _list("retail:stock_ops"),
    "retail.Opening": _list("retail:stock_ops"),
    "retail.Transfer": _list("retail:stock_ops"),
    "savings.Receipt": _via("savings.Receipt", "pk", "savings:receipt", lookup="number"),
    "savings.BillingRun": _list("savings:billing"),
    "savings.JasaRun": _list("savings:jasa"),
    "savings.OpeningBalance": _list("savings:transactions"),
    "loans.Loan": _direct("loans:detail"),
    "loans.Repayment": _via("loans.Repayment", "loan_id", "loans:detail"),
    "loans.AgeingRun": _list("loans:portfolio"),
    "loans.BankFacility": _list("loans:bank"),
    "loans.BankInstallment": _list("loans:bank"),
    "clinic.Visit": _list("clinic:reports"),  # visit pages and receipts are for clinic staff only (privacy)
    "warehouse.Release": _via("warehouse.Release", "lot_id", "warehouse:lot"),
    "logistics.DeliveryOrder": _direct("logistics:delivery"),
    "logistics.DeliveryStock": _direct("logistics:delivery"),
    "logistics.TripCost": _via("logistics.TripCost", "trip_id", "logistics:trip"),
    "logistics.MaintenanceRecord": _via("logistics.MaintenanceRecord", "vehicle_id", "logistics:vehicle"),
}

for _name, _fn in DEFAULT_SOURCES.items():
    register_source(_name, _fn)
register_source("members.Settlement", _settlement, with_entry=True)
