"""Format validators for Indonesian identifiers. Messages in Indonesian / English."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from .errors import bilingual

_PHONE_RE = re.compile(r"^628\d{7,11}$")


def normalize_phone(raw: str) -> str:
    """``0812-3456-7890``, ``+62 812 3456 7890`` and ``6281234567890`` all become ``6281234567890``."""
    digits = re.sub(r"[^\d]", "", raw or "")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return digits


def validate_phone(value: str) -> None:
    if not value:
        return
    if not _PHONE_RE.match(normalize_phone(value)):
        raise ValidationError(
            bilingual(
                "Nomor HP tidak valid: gunakan nomor seluler Indonesia, mis. 0812xxxxxxxx.",
                "Invalid phone number: use an Indonesian mobile number, e.g. 0812xxxxxxxx.",
            ),
            code="phone",
        )


def validate_nib(value: str) -> None:
    """NIB from OSS: 13 digits."""
    if value and not re.fullmatch(r"\d{13}", value):
        raise ValidationError(
            bilingual("NIB harus 13 digit angka.", "NIB must be 13 digits."),
            code="nib",
        )


def normalize_npwp(value: str) -> str:
    return re.sub(r"[.\-\s]", "", value or "")


def validate_npwp(value: str) -> None:
    """NPWP: 15 digits (old format, may be written 01.234.567.8-901.000) or 16 digits (new, since 2024)."""
    if not value:
        return
    digits = normalize_npwp(value)
    if not re.fullmatch(r"\d{15}|\d{16}", digits):
        raise ValidationError(
            bilingual(
                "NPWP harus 15 digit (format lama 01.234.567.8-901.000) atau 16 digit.",
                "NPWP must be 15 digits (old format) or 16 digits.",
            ),
            code="npwp",
        )


def validate_postal_code(value: str) -> None:
    if value and not re.fullmatch(r"[1-9]\d{4}", value):
        raise ValidationError(bilingual("Kode pos harus 5 digit.", "Postal code must be 5 digits."), code="postal")
