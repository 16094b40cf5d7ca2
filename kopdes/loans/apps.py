from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "kopdes.loans"
    label = "loans"
    verbose_name = "Simpan Pinjam"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from kopdes.core.dashboard import register_widget
        from kopdes.core.navigation import MenuItem, register
        from kopdes.core.units import Unit

        register(MenuItem("Unit usaha", _("Simpan pinjam"), "loans:home", "cash-coin", unit=Unit.SIMPAN_PINJAM,
                          order=20))
        register(MenuItem("Unit usaha", _("Kalkulator pinjaman"), "loans:calculator", "calculator",
                          unit=Unit.SIMPAN_PINJAM, order=21))
        register(MenuItem("Laporan", _("Portofolio pinjaman"), "loans:portfolio", "pie-chart", unit=Unit.SIMPAN_PINJAM,
                          order=40))

        from .views import dashboard_widget

        register_widget(dashboard_widget)
        try:
            from kopdes.members.debts import register_debt_provider
        except ImportError:  # pragma: no cover - members app without the hook
            return
        from .services import member_debts, on_debt_offset

        register_debt_provider("loans", member_debts, on_debt_offset)
