from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "kopdes.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from kopdes.core.navigation import MenuItem, register

        register(MenuItem("Pengaturan", _("Akses API"), "api:tokens", "key", order=90))
