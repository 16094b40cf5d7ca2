from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "kopdes.loans"
    label = "loans"
    verbose_name = "Simpan Pinjam"
