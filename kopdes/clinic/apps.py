from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicConfig(AppConfig):
    name = "kopdes.clinic"
    label = "clinic"
    verbose_name = _("Klinik Desa")

    def ready(self) -> None:
        from kopdes.core.dashboard import register_widget
        from kopdes.core.navigation import MenuItem, register
        from kopdes.core.units import Unit

        from .views import dashboard_widget

        register(MenuItem("Unit usaha", _("Klinik desa"), "clinic:home", "heart-pulse", unit=Unit.KLINIK, order=50))
        register(MenuItem("Laporan", _("Laporan klinik"), "clinic:reports", "clipboard2-pulse", unit=Unit.KLINIK,
                          order=50))
        register_widget(dashboard_widget)
