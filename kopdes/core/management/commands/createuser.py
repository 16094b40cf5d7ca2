import getpass

from django.core.management.base import BaseCommand, CommandError

from kopdes.core.errors import DomainError
from kopdes.core.models import Koperasi, Role
from kopdes.core.services import create_user_with_role
from kopdes.core.units import Unit


class Command(BaseCommand):
    help = "Buat pengguna dengan peran / Create a user with a role."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True, help="nama pengguna / username")
        parser.add_argument("--password", help="kata sandi (jika kosong, ditanya) / password (asked if omitted)")
        parser.add_argument("--full-name", default="", help="nama lengkap / full name")
        parser.add_argument("--phone", default=None, help="nomor HP / phone number")
        parser.add_argument("--role", required=True, choices=Role.values, help="peran / role")
        parser.add_argument("--koperasi", help="slug koperasi (peran koperasi) / cooperative slug")
        parser.add_argument("--region", help="kode wilayah (peran Dinas) / region code for Dinas roles")
        parser.add_argument("--unit", default="", choices=["", *Unit.values], help="unit (operator)")
        parser.add_argument("--superuser", action="store_true", help="administrator sistem / system administrator")

    def handle(self, *args, **o):
        password = o["password"] or getpass.getpass("Kata sandi / password: ")
        koperasi = None
        if o["koperasi"]:
            koperasi = Koperasi.objects.filter(slug=o["koperasi"]).first()
            if koperasi is None:
                raise CommandError(f"Koperasi {o['koperasi']!r} tidak ditemukan / cooperative not found")
        try:
            user, ra = create_user_with_role(
                role=o["role"], koperasi=koperasi, region=o["region"], unit=o["unit"],
                username=o["username"], password=password, full_name=o["full_name"], phone=o["phone"],
            )
        except DomainError as exc:
            raise CommandError(f"{exc.message_id} / {exc.message_en}")
        if o["superuser"]:
            user.is_superuser = user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        self.stdout.write(f"Pengguna {user.username} dibuat: {ra}")
