from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "kopdes.members"
    label = "members"
    verbose_name = "Anggota"
