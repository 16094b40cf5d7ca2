"""``kopdes loans <subcommand>``: schedule calculator, ageing run, bank financing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from kopdes.core.errors import DomainError
from kopdes.core.money import format_rupiah
from kopdes.loans.schedule import Terms, describe, generate


class Command(BaseCommand):
    help = "Simpan pinjam: jadwal angsuran, kolektibilitas / Loans: schedules, ageing run."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="sub", required=True)
        s = sub.add_parser("schedule", help="hitung jadwal angsuran / compute a repayment schedule")
        s.add_argument("--method", default="anuitas", help="flat | anuitas | menurun")
        s.add_argument("--amount", required=True, help="jumlah pinjaman (Rp)")
        s.add_argument("--rate", required=True, help="suku bunga (%%)")
        s.add_argument("--rate-period", default="bulan", help="bulan | tahun (month | year)")
        s.add_argument("--tenor", type=int, required=True, help="jumlah angsuran")
        s.add_argument("--frequency", default="bulanan", help="mingguan | bulanan | musiman")
        s.add_argument("--season-months", type=int, default=4)
        s.add_argument("--balloon", action="store_true", help="pokok dibayar sekaligus di akhir")
        s.add_argument("--day-count", default="30/360", help="30/360 | act/365")
        s.add_argument("--grace-principal", type=int, default=0)
        s.add_argument("--grace-interest", type=int, default=0)
        s.add_argument("--rounding", type=int, default=100)
        s.add_argument("--start", default=None, help="tanggal pencairan YYYY-MM-DD (default hari ini)")
        s.add_argument("--json", action="store_true")
        a = sub.add_parser("ageing", help="jalankan kolektibilitas & PPAP / run ageing and provisions")
        a.add_argument("--koperasi", required=True, help="slug koperasi")
        a.add_argument("--date", default=None)
        a.add_argument("--no-post", action="store_true", help="hanya klasifikasi, tanpa jurnal PPAP")

    def handle(self, *args, **o):
        try:
            if o["sub"] == "schedule":
                return self._schedule(o)
            if o["sub"] == "ageing":
                return self._ageing(o)
        except DomainError as exc:
            raise CommandError(f"{exc.message_id} / {exc.message_en}") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

    def _schedule(self, o):
        terms = Terms(
            principal=Decimal(str(o["amount"]).replace(".", "").replace(",", ".")) if "," in str(o["amount"])
            else Decimal(str(o["amount"])),
            rate=Decimal(str(o["rate"]).replace(",", ".")), tenor=o["tenor"], method=o["method"],
            rate_period=o["rate_period"], frequency=o["frequency"], season_months=o["season_months"],
            balloon=o["balloon"], day_count=o["day_count"], grace_principal=o["grace_principal"],
            grace_interest=o["grace_interest"], rounding=o["rounding"],
            start_date=dt.date.fromisoformat(o["start"]) if o["start"] else dt.date.today(),
        )
        s = generate(terms)
        if o["json"]:
            self.stdout.write(json.dumps(s.as_dict(), cls=DjangoJSONEncoder, indent=1))
            return
        self.stdout.write(f"Pinjaman {format_rupiah(s.terms.principal)} — {describe(s.terms)}")
        self.stdout.write(f"{'Ke':>3}  {'Jatuh tempo':<11} {'Pokok':>15} {'Jasa':>13} {'Angsuran':>15} {'Sisa pokok':>15}")
        for r in s.rows:
            self.stdout.write(
                f"{r.no:>3}  {r.due_date.isoformat():<11} {format_rupiah(r.principal):>15} "
                f"{format_rupiah(r.interest):>13} {format_rupiah(r.total):>15} {format_rupiah(r.balance):>15}"
            )
        self.stdout.write(
            f"{'':>3}  {'Jumlah':<11} {format_rupiah(s.total_principal):>15} {format_rupiah(s.total_interest):>13} "
            f"{format_rupiah(s.total):>15}"
        )

    def _ageing(self, o):
        from kopdes.core.models import Koperasi
        from kopdes.loans import services

        k = Koperasi.objects.filter(slug=o["koperasi"]).first()
        if k is None:
            raise CommandError("Koperasi tidak ditemukan / cooperative not found")
        day = dt.date.fromisoformat(o["date"]) if o["date"] else dt.date.today()
        run = services.run_ageing(k, as_of=day, post_provision=not o["no_post"])
        self.stdout.write(
            f"Kolektibilitas {day}: {run.loan_count} pinjaman, outstanding {format_rupiah(run.outstanding)}, "
            f"PPAP wajib {format_rupiah(run.provision_required)}, selisih dijurnal {format_rupiah(run.provision_posted)}"
        )
        if run.accrual_entry_id:
            self.stdout.write(f"Jasa akrual (1134) dijurnal: {format_rupiah(run.accrual_posted)}")
