"""NIK (Nomor Induk Kependudukan): ``PPKKCC DDMMYY SSSS``.

Region of registration (province, kabupaten/kota, kecamatan), birth date with 40 added to the day for women,
and a serial that is never 0000.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from .errors import bilingual


@dataclass(frozen=True)
class NikInfo:
    nik: str
    province_code: str
    kabupaten_code: str
    kecamatan_code: str
    birth_date: dt.date
    sex: str  # "L" (laki-laki) or "P" (perempuan)
    serial: str


def _error(msg_id: str, msg_en: str) -> ValidationError:
    return ValidationError(bilingual(msg_id, msg_en), code="nik")


def parse_nik(nik: str, *, today: dt.date | None = None) -> NikInfo:
    """Parse and check the structure of a NIK (no database). Raises ``ValidationError``."""
    nik = (nik or "").strip()
    if len(nik) != 16 or not nik.isdigit():
        raise _error("NIK harus 16 digit angka.", "NIK must be 16 digits.")
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "L"
    if day > 40:
        day -= 40
        sex = "P"
    today = today or dt.date.today()
    century = 2000 if 2000 + yy <= today.year else 1900
    try:
        birth = dt.date(century + yy, month, day)
    except ValueError:
        raise _error(
            "NIK memuat tanggal lahir yang tidak valid (digit 7–12).",
            "NIK contains an invalid birth date (digits 7–12).",
        )
    if nik[12:] == "0000":
        raise _error("Nomor urut NIK (4 digit terakhir) tidak boleh 0000.", "NIK serial must not be 0000.")
    p, k, c = nik[0:2], nik[2:4], nik[4:6]
    return NikInfo(nik, p, f"{p}.{k}", f"{p}.{k}.{c}", birth, sex, nik[12:])


def validate_nik(
    nik: str,
    *,
    birth_date: dt.date | None = None,
    sex: str | None = None,
    check_region: bool = True,
) -> NikInfo:
    """Full check: structure, province/kabupaten prefix known, and agreement with typed birth date and sex."""
    info = parse_nik(nik)
    if check_region:
        from .models import Region

        found = set(Region.objects.filter(code__in=[info.province_code, info.kabupaten_code]).values_list("code", flat=True))
        if info.province_code not in found:
            raise _error(
                f"Kode provinsi NIK ({info.province_code}) tidak dikenal.",
                f"Unknown province code in NIK ({info.province_code}).",
            )
        if info.kabupaten_code not in found:
            raise _error(
                f"Kode kabupaten/kota NIK ({info.kabupaten_code}) tidak dikenal.",
                f"Unknown kabupaten/kota code in NIK ({info.kabupaten_code}).",
            )
    if birth_date and birth_date != info.birth_date:
        raise _error(
            f"Tanggal lahir tidak cocok dengan NIK (NIK: {info.birth_date:%d-%m-%Y}).",
            f"Birth date does not match the NIK (NIK says {info.birth_date:%Y-%m-%d}).",
        )
    if sex and sex != info.sex:
        raise _error(
            "Jenis kelamin tidak cocok dengan NIK (tanggal +40 untuk perempuan).",
            "Sex does not match the NIK (day +40 for women).",
        )
    return info


def make_nik(kecamatan_code: str, birth_date: dt.date, sex: str, serial: int) -> str:
    """Build a structurally valid NIK (for demo data and tests)."""
    p, k, c = kecamatan_code.split(".")
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{p}{k}{c}{day:02d}{birth_date:%m%y}{serial:04d}"
