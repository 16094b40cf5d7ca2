from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "kopdes.portal"
    label = "portal"
    verbose_name = "Portal Anggota"
