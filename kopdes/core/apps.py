from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kopdes.core"
    label = "core"
    verbose_name = _("Inti")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import audit
        from .navigation import MenuItem, register

        audit.connect_signals()

        def _on_login(sender, request, user, **kwargs):
            audit.record("login", summary=f"login {user.username}")

        user_logged_in.connect(_on_login, dispatch_uid="kopdes_audit_login")

        register(MenuItem("Koperasi", _("Beranda"), "core:dashboard", "speedometer2", order=1))
        register(MenuItem("Koperasi", _("Profil & legalitas"), "core:profile", "building", order=2))
        register(MenuItem("Koperasi", _("AD/ART"), "core:bylaws", "journal-text", order=3))
        register(MenuItem("Pengaturan", _("Pengguna & peran"), "core:users", "people", order=90))
        register(MenuItem("Pengaturan", _("Jejak audit"), "core:audit", "clock-history", order=91))
