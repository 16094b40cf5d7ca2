from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "kopdes.portal"
    label = "portal"
    verbose_name = "Portal Anggota"

    def ready(self) -> None:
        from kopdes.core.navigation import MenuItem, register

        from . import signals

        signals.connect()
        register(MenuItem("Anggota & Simpanan", "Portal anggota", "portal:admin", "phone", order=60))
        register(MenuItem("Koperasi", "Pengumuman", "portal:announcements", "megaphone", order=40))
