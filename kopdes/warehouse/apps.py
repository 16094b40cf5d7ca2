from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarehouseConfig(AppConfig):
    name = "kopdes.warehouse"
    label = "warehouse"
    verbose_name = _("Pergudangan")

    def ready(self) -> None:
        from kopdes.core.dashboard import register_widget
        from kopdes.core.navigation import MenuItem, register
        from kopdes.core.units import Unit

        S = "Unit usaha"
        U = Unit.PERGUDANGAN
        register(MenuItem(S, _("Gudang & resi"), "warehouse:home", "building", unit=U, order=60))
        register(MenuItem(S, _("Barang titipan"), "warehouse:lots", "box2", unit=U, order=61))
        register(MenuItem(S, _("Cold storage (suhu)"), "warehouse:cold", "thermometer-snow", unit=U, order=62))
        register(MenuItem("Laporan", _("Utilisasi gudang"), "warehouse:report", "graph-up", unit=U, order=60))
        register(MenuItem("Pengaturan", _("Tarif sewa gudang"), "warehouse:tariffs", "tags", unit=U, order=60))

        from .views import dashboard_widget

        register_widget(dashboard_widget)
