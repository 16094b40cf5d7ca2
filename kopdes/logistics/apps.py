from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "kopdes.logistics"
    label = "logistics"
    verbose_name = _("Logistik Desa")

    def ready(self) -> None:
        from kopdes.core.dashboard import register_widget
        from kopdes.core.navigation import MenuItem, register
        from kopdes.core.units import Unit

        S = "Unit usaha"
        U = Unit.LOGISTIK
        register(MenuItem(S, _("Logistik desa"), "logistics:home", "truck-front", unit=U, order=70))
        register(MenuItem(S, _("Pengiriman (surat jalan)"), "logistics:deliveries", "geo-alt", unit=U, order=71))
        register(MenuItem(S, _("Armada & perawatan"), "logistics:vehicles", "truck", unit=U, order=72))
        register(MenuItem("Laporan", _("Laporan armada"), "logistics:report", "speedometer2", unit=U, order=70))
        register(MenuItem("Pengaturan", _("Tarif pengiriman"), "logistics:tariffs", "tags", unit=U, order=70))

        from .views import dashboard_widget

        register_widget(dashboard_widget)
