"""NIK (Nomor Induk Kependudukan): ``PPKKCC DDMMYY SSSS``.

Region of registration (province, kabupaten/kota, kecamatan), birth date with 40 added to the day for women,
and a serial that is never 0000. Digits are ASCII 0–9 only (``str.isdigit`` also accepts ``١`` or ``୧``).

The NIK carries only two digits of the birth year. The century is taken from the typed birth date when there is
one; without it the later century is assumed unless that would put the birth in the future (a NIK read on
1 March 2026 with ``…0726…`` is 7 … 1926, never 2026 in the future).

Members must be adults able to act legally: :data:`MIN_MEMBER_AGE` = 17 years on the day they register. That is
the age of the KTP-el (UU 23/2006 jo. UU 24/2013 Adminduk: a KTP at 17 *or* when married); the "or married" branch
is not offered because since UU 16/2019 nobody may marry before 19, so a married person under 17 exists only by a
court dispensation — the board can register them once they are 17.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

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


MIN_MEMBER_AGE = 17


def is_digits(value: str, length: int | None = None) -> bool:
    """Only ASCII 0–9 (and exactly ``length`` of them when given): for NIK, KK, RT/RW, BPJS numbers."""
    return bool(value) and value.isascii() and value.isdigit() and (length is None or len(value) == length)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _error(msg_id: str, msg_en: str) -> ValidationError:
    return ValidationError(bilingual(msg_id, msg_en), code="nik")


def _birth_date(yy: int, month: int, day: int, *, today: dt.date, typed: dt.date | None) -> dt.date:
    """The birth date a NIK encodes; raises ValueError when it is no date."""
    if typed is not None and typed.year % 100 == yy:
        return dt.date(typed.year, month, day)
    for year in (2000 + yy, 1900 + yy):
        try:
            birth = dt.date(year, month, day)
        except ValueError:
            continue
        if birth <= today or year < 2000:
            return birth
    raise ValueError("no such date")


def parse_nik(nik: str, *, today: dt.date | None = None, birth_date: dt.date | None = None) -> NikInfo:
    """Parse and check the structure of a NIK (no database). Raises ``ValidationError``. ``birth_date`` (typed)
    gives the century of the NIK's two-digit year."""
    nik = (nik or "").strip()
    if not is_digits(nik, 16):
        raise _error("NIK harus 16 digit angka (0–9).", "NIK must be 16 digits (0–9).")
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "L"
    if day > 40:
        day -= 40
        sex = "P"
    today = today or timezone.localdate()
    try:
        birth = _birth_date(yy, month, day, today=today, typed=birth_date)
    except ValueError:
        raise _error(
            "NIK memuat tanggal lahir yang tidak valid (digit 7–12).",
            "NIK contains an invalid birth date (digits 7–12).",
        )
    if birth > today:
        raise _error("Tanggal lahir dalam NIK ada di masa depan.", "The NIK's birth date is in the future.")
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
    info = parse_nik(nik, birth_date=birth_date)
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


def check_adult(birth: dt.date, on: dt.date) -> None:
    """A member must be :data:`MIN_MEMBER_AGE` on the day of registration (see the module notes)."""
    if birth > on:
        raise ValidationError(bilingual("Tanggal lahir di masa depan.", "Birth date in the future."),
                              code="birth_future")
    if age_on(birth, on) < MIN_MEMBER_AGE:
        raise ValidationError(bilingual(
            f"Anggota harus berusia minimal {MIN_MEMBER_AGE} tahun (cakap hukum, usia KTP); umur pada tanggal "
            f"daftar: {age_on(birth, on)} tahun.",
            f"A member must be at least {MIN_MEMBER_AGE} years old (legal capacity, KTP age); age on the "
            f"registration date: {age_on(birth, on)}."), code="too_young")


def make_nik(kecamatan_code: str, birth_date: dt.date, sex: str, serial: int) -> str:
    """Build a structurally valid NIK (for demo data and tests)."""
    p, k, c = kecamatan_code.split(".")
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{p}{k}{c}{day:02d}{birth_date:%m%y}{serial:04d}"
