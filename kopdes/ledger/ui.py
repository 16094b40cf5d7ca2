"""Side menu entries and the dashboard widget of the ledger."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopdes.core.units import Unit


def dashboard_widget(request):
    access = getattr(request, "access", None)
    if access is None or not access.can_read(Unit.KANTOR):
        return None
    from . import reports, services
    from .queries import cash_balances

    k = request.koperasi
    today = timezone.localdate()
    rows = [(a, b) for a, b in cash_balances(k, today) if b]
    start, _end = services.year_bounds(k, services.fiscal_year(k, today))
    return {"title": _("Kas & bank · SHU tahun berjalan"), "template": "ledger/_widget.html", "order": 20,
            "context": {"rows": rows, "total": sum((b for _a, b in rows), Decimal(0)),
                        "shu": reports.net_result(k, start, today), "slug": k.slug, "year": start.year}}


def register_ui() -> None:
    from kopdes.core.dashboard import register_widget
    from kopdes.core.navigation import MenuItem, register

    u = Unit.KANTOR
    register(MenuItem("Akuntansi", _("Ringkasan akuntansi"), "ledger:home", "calculator", unit=u, order=60))
    register(MenuItem("Akuntansi", _("Jurnal umum"), "ledger:journal", "journal-text", unit=u, order=61))
    register(MenuItem("Akuntansi", _("Jurnal memorial"), "ledger:manual_list", "pencil-square", unit=u, order=62))
    register(MenuItem("Akuntansi", _("Kas & bank"), "ledger:cash", "cash-coin", unit=u, order=63))
    register(MenuItem("Akuntansi", _("Bagan akun"), "ledger:accounts", "list-ol", unit=u, order=64))
    register(MenuItem("Akuntansi", _("Periode & tutup buku"), "ledger:periods", "calendar-check", unit=u, order=65))
    register(MenuItem("Akuntansi", _("SHU"), "ledger:shu", "pie-chart", unit=u, order=66))
    register(MenuItem("Akuntansi", _("RAT"), "ledger:rat", "people-fill", unit=u, order=67))
    register(MenuItem("Laporan", _("Posisi keuangan"), "ledger:report_posisi", "bar-chart", unit=u, order=70))
    register(MenuItem("Laporan", _("Hasil usaha"), "ledger:report_hasil", "graph-up", unit=u, order=71))
    register(MenuItem("Laporan", _("Neraca saldo"), "ledger:report_ns", "table", unit=u, order=72))
    register(MenuItem("Laporan", _("Arus kas"), "ledger:report_kas", "arrow-left-right", unit=u, order=73))
    register_widget(dashboard_widget)
