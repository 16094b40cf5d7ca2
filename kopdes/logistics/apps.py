from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "kopdes.logistics"
    label = "logistics"
    verbose_name = "Logistik Desa"

    def ready(self) -> None:
        from kopdes.core.dashboard import register_widget
        from kopdes.core.navigation import MenuItem, register
        from kopdes.core.units import Unit

        S = "Unit usaha"
        U = Unit.LOGISTIK
        register(MenuItem(S, "Logistik desa", "logistics:home", "truck-front", unit=U, order=70))
        register(MenuItem(S, "Pengiriman (surat jalan)", "logistics:deliveries", "geo-alt", unit=U, order=71))
        register(MenuItem(S, "Armada & perawatan", "logistics:vehicles", "truck", unit=U, order=72))
        register(MenuItem("Laporan", "Laporan armada", "logistics:report", "speedometer2", unit=U, order=70))
        register(MenuItem("Pengaturan", "Tarif pengiriman", "logistics:tariffs", "tags", unit=U, order=70))

        from .views import dashboard_widget

        register_widget(dashboard_widget)
