"""Barcodes: EAN-13 (with check digit), EAN-8, and internal codes (``K`` + digits, printed by the cooperative)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from kopdes.core.errors import DomainError, bilingual


def ean_check_digit(body: str) -> int:
    """Check digit for the first 12 (EAN-13) or 7 (EAN-8) digits."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def is_valid_ean(code: str) -> bool:
    if not code.isdigit() or len(code) not in (8, 13):
        return False
    return ean_check_digit(code[:-1]) == int(code[-1])


def make_ean13(body12: str) -> str:
    return body12 + str(ean_check_digit(body12))


def barcode_problem(code: str) -> str | None:
    """None when the code is a valid EAN-13/EAN-8 or an internal code; else a bilingual message."""
    code = (code or "").strip()
    if not code:
        return None
    if code.isdigit():
        if len(code) not in (8, 13):
            return bilingual("Barcode EAN harus 8 atau 13 digit.", "An EAN barcode has 8 or 13 digits.")
        if not is_valid_ean(code):
            return bilingual("Digit pemeriksa barcode EAN salah (salah ketik atau salah pindai?).",
                             "The EAN check digit is wrong (mistyped or misread?).")
        return None
    return bilingual("Barcode hanya boleh berisi angka (EAN-8/EAN-13).", "A barcode holds digits only (EAN-8/13).")


def validate_barcode(code: str) -> None:
    msg = barcode_problem(code)
    if msg:
        raise ValidationError(msg, code="barcode")


def check_scanned(code: str) -> str:
    """A scanned/typed code at the till: raises DomainError for a malformed EAN."""
    code = (code or "").strip()
    if code.isdigit() and len(code) in (8, 12, 13, 14):
        if len(code) in (8, 13) and is_valid_ean(code):
            return code
        raise DomainError(
            f"Barcode {code} tidak valid (digit pemeriksa salah atau panjang tidak sesuai). Pindai ulang.",
            f"Barcode {code} is malformed (bad check digit or length). Scan again.",
            field="barcode", code="bad_barcode",
        )
    return code
