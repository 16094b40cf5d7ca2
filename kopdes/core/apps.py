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

        from .validators import install_text_guard

        install_text_guard()

        from django.db.models.signals import post_migrate

        def _tenant_keys(sender, using="default", **kwargs):
            # once per migrate (core's signal): composite tenant keys on PostgreSQL, see core/citus.py
            from django.db import connections

            if connections[using].vendor == "postgresql":
                from .citus import composite_keys

                composite_keys()

        post_migrate.connect(_tenant_keys, sender=self, weak=False, dispatch_uid="kopdes_tenant_keys")

        def _on_login(sender, request, user, **kwargs):
            audit.record("login", summary=f"login {user.username}")

        user_logged_in.connect(_on_login, weak=False, dispatch_uid="kopdes_audit_login")

        register(MenuItem("Koperasi", _("Beranda"), "core:dashboard", "speedometer2", order=1))
        register(MenuItem("Koperasi", _("Profil & legalitas"), "core:profile", "building", order=2))
        register(MenuItem("Koperasi", _("AD/ART"), "core:bylaws", "journal-text", order=3))
        register(MenuItem("Pengaturan", _("Pengguna & peran"), "core:users", "people", order=90))
        register(MenuItem("Pengaturan", _("Jejak audit"), "core:audit", "clock-history", order=91))
