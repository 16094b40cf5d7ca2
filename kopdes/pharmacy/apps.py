from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PharmacyConfig(AppConfig):
    name = "kopdes.pharmacy"
    label = "pharmacy"
    verbose_name = _("Apotek Desa")

    def ready(self) -> None:
        from kopdes.core.dashboard import register_widget
        from kopdes.core.navigation import MenuItem, register
        from kopdes.core.units import Unit

        from .views import dashboard_widget

        register(MenuItem("Unit usaha", _("Apotek desa"), "pharmacy:home", "capsule", unit=Unit.APOTEK, order=45))
        register(MenuItem("Laporan", _("Laporan apotek"), "pharmacy:reports", "capsule-pill", unit=Unit.APOTEK,
                          order=45))
        register_widget(dashboard_widget)
