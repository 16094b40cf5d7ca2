from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetailConfig(AppConfig):
    name = "kopdes.retail"
    label = "retail"
    verbose_name = _("Gerai Sembako")

    def ready(self) -> None:
        from kopdes.core.dashboard import register_widget
        from kopdes.core.navigation import MenuItem, register
        from kopdes.core.units import Unit

        S = "Unit usaha"
        register(MenuItem(S, _("Kasir gerai (POS)"), "retail:pos", "upc-scan", unit=Unit.SEMBAKO, order=30,
                          write_units=(Unit.SEMBAKO,)))
        register(MenuItem(S, _("Gerai sembako"), "retail:home", "shop", unit=Unit.SEMBAKO, order=31))
        register(MenuItem(S, _("Stok & barang"), "retail:products", "box-seam", unit=Unit.SEMBAKO, order=32))
        register(MenuItem(S, _("Pembelian & pemasok"), "retail:purchases", "truck", unit=Unit.SEMBAKO, order=33))
        register(MenuItem(S, _("Pupuk bersubsidi (RDKK)"), "retail:rdkk", "flower1", unit=Unit.SEMBAKO, order=34))
        register(MenuItem("Laporan", _("Laporan gerai"), "retail:reports", "bar-chart", unit=Unit.SEMBAKO, order=30))
        register(MenuItem("Pengaturan", _("HET & batas barang diatur"), "retail:het", "shield-check",
                          unit=Unit.SEMBAKO, order=30))

        from .views import dashboard_widget

        register_widget(dashboard_widget)
        try:
            from kopdes.members.debts import register_debt_provider

            from .bridge import bon_debts

            register_debt_provider("retail", bon_debts)
        except ImportError:  # members app not present
            pass
