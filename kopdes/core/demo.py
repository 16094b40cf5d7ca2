"""The demo cooperative: KDMP Surya Adi, Kecamatan Mesuji, Kabupaten Ogan Komering Ilir (Sumatera Selatan).

``build_demo()`` is idempotent: it creates what is missing and changes nothing that exists. Each business app
extends the demo with a module ``kopdes/<app>/demo.py`` defining ``build(ctx: DemoContext) -> None`` (idempotent
too); they run in ``DEMO_APPS`` order.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import import_module

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from . import services
from .audit import acting_as
from .models import Koperasi, Role, RoleAssignment, User
from .regions import load_regions, regions_loaded
from .units import Unit

DEMO_REGION = "16.02.04.2006"  # Surya Adi, Mesuji, Ogan Komering Ilir
DEMO_SLUG = "surya-adi"
DEMO_PASSWORD = "kopdes-demo"
DEMO_APPS = ["ledger", "members", "savings", "loans", "retail", "pharmacy", "clinic", "warehouse", "logistics",
             "ledger.yearend", "supervision", "portal", "api"]  # ledger.yearend: close last year + its RAT

# username, full name, phone, role, unit, title, scope ("koperasi" | region code | "" for national)
DEMO_USERS = [
    ("ketua", "Suparman", "081273000001", Role.KETUA, "", "Ketua", "koperasi"),
    ("sekretaris", "Siti Aminah", "081273000002", Role.SEKRETARIS, "", "Sekretaris", "koperasi"),
    ("bendahara", "Wayan Sudarsa", "081273000003", Role.BENDAHARA, "", "Bendahara", "koperasi"),
    ("manajer", "Rina Marlina", "081273000004", Role.MANAJER, "", "Manajer usaha", "koperasi"),
    ("kasir", "Dewi Lestari", "081273000005", Role.OPERATOR, Unit.SEMBAKO, "Kasir gerai sembako", "koperasi"),
    ("simpanpinjam", "Agus Santoso", "081273000006", Role.OPERATOR, Unit.SIMPAN_PINJAM, "Petugas simpan pinjam",
     "koperasi"),
    ("apoteker", "Nur Hidayah", "081273000007", Role.OPERATOR, Unit.APOTEK, "Tenaga teknis kefarmasian",
     "koperasi"),
    ("klinik", "dr. Ahmad Fauzi", "081273000008", Role.OPERATOR, Unit.KLINIK, "Dokter klinik desa", "koperasi"),
    ("gudang", "Made Sukerta", "081273000009", Role.OPERATOR, Unit.PERGUDANGAN, "Kepala gudang", "koperasi"),
    ("logistik", "Joko Prasetyo", "081273000010", Role.OPERATOR, Unit.LOGISTIK, "Koordinator armada", "koperasi"),
    ("kantor", "Lina Marpaung", "081273000011", Role.OPERATOR, Unit.KANTOR, "Staf administrasi", "koperasi"),
    ("pengawas", "Ketut Wirawan", "081273000012", Role.PENGAWAS, "", "Ketua Pengawas (Kepala Desa)", "koperasi"),
    ("pengawas2", "Sri Wahyuni", "081273000013", Role.PENGAWAS, "", "Anggota Pengawas", "koperasi"),
    ("dinas_oki", "Hendra Gunawan", "081273000021", Role.DINAS_KABUPATEN, "", "Dinas Koperasi & UKM OKI", "16.02"),
    ("dinas_sumsel", "Yuliani Putri", "081273000022", Role.DINAS_PROVINSI, "", "Dinas Koperasi Sumsel", "16"),
    ("satgas", "Bambang Wibowo", "081273000023", Role.NASIONAL, "", "Satgas KDMP Nasional", ""),
]


@dataclass
class DemoContext:
    koperasi: Koperasi
    users: dict[str, User]
    today: dt.date
    rng: random.Random = field(default_factory=lambda: random.Random(20250327))
    log: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.log.append(line)


def _demo_koperasi() -> Koperasi:
    k = Koperasi.objects.filter(region_id=DEMO_REGION).first()
    if k:
        return k
    return services.create_koperasi(
        DEMO_REGION,
        slug=DEMO_SLUG,
        name="Koperasi Desa Merah Putih Surya Adi",
        status=Koperasi.Status.AKTIF,
        formation_model=Koperasi.FormationModel.BARU,
        founded_on=dt.date(2025, 6, 14),
        badan_hukum_number="AHU-0012345.AH.01.29.TAHUN 2025",
        badan_hukum_date=dt.date(2025, 7, 2),
        akta_number="17",
        akta_date=dt.date(2025, 6, 20),
        notary_name="Ratna Dewi, S.H., M.Kn.",
        nib="1207250012345",
        npwp="1602042006000001",
        address="Jl. Poros Desa Surya Adi No. 1, Kecamatan Mesuji, Kabupaten Ogan Komering Ilir, Sumatera Selatan",
        postal_code="30681",
        phone="081273000000",
        email="kdmp.suryaadi@example.id",
        bank_name="BRI Unit Mesuji",
        bank_account="0123-01-000123-50-1",
        simpanan_pokok=Decimal("50000"),
        simpanan_wajib=Decimal("10000"),
    )


@functools.cache
def demo_password_hash() -> str:
    """One argon2 hash of the (public) demo password for every demo account: hashing it 18 times cost seconds of
    `make run`. The accounts share its salt, which matters nowhere: the password is printed in the README."""
    return make_password(DEMO_PASSWORD)


def create_demo_user(**fields) -> User:
    """``services.create_user`` (the same checks), with the demo password's shared hash."""
    user = services.create_user(password=None, **fields)
    user.password = demo_password_hash()
    user.save(update_fields=["password"])
    return user


def _demo_users(k: Koperasi) -> dict[str, User]:
    users: dict[str, User] = {}
    term_start = dt.date(2025, 6, 14)
    for username, name, phone, role, unit, title, scope in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = create_demo_user(username=username, full_name=name, phone=phone)
        if not RoleAssignment.objects.filter(user=user, role=role).exists():
            services.assign_role(
                user, role,
                koperasi=k if scope == "koperasi" else None,
                region=scope if scope not in ("koperasi", "") else None,
                unit=str(unit), title=title, start_date=term_start,
                end_date=dt.date(2030, 6, 13) if scope == "koperasi" and role != Role.OPERATOR else None,
            )
        users[username] = user
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = create_demo_user(username="admin", full_name="Administrator Sistem")
        admin.is_superuser = admin.is_staff = True
        admin.save(update_fields=["is_superuser", "is_staff"])
    users["admin"] = admin
    return users


def build_demo(*, apps: list[str] | None = None, stdout=None, progress=None) -> DemoContext:
    """``progress``: a :class:`kopdes.core.build.Progress` told when each app starts and finishes."""
    if not regions_loaded():
        load_regions()
    with acting_as(label="demo"), transaction.atomic():
        k = _demo_koperasi()
        users = _demo_users(k)
    ctx = DemoContext(koperasi=k, users=users, today=timezone.localdate())
    for app in apps if apps is not None else DEMO_APPS:
        try:
            mod = import_module(f"kopdes.{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"kopdes.{app}.demo":
                raise
            continue
        if progress is not None:
            progress.starting(app)
        with acting_as(label=f"demo:{app}"):
            mod.build(ctx)
        if progress is not None:
            progress.finished(app)
        if stdout is not None:
            stdout.write(f"  demo {app}: selesai / done")
    return ctx
