from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "kopdes.portal"
    label = "portal"
    verbose_name = _("Portal Anggota")

    def ready(self) -> None:
        from kopdes.core.navigation import MenuItem, register

        register(MenuItem("Anggota & Simpanan", _("Portal anggota"), "portal:admin", "phone", order=60))
        register(MenuItem("Koperasi", _("Pengumuman"), "portal:announcements", "megaphone", order=40))
