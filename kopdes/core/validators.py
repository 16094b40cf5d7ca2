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


# --- control characters (issue 14 item 12) ------------------------------------------------------------------------
# Refused in every stored text: C0 controls but tab, line feed and carriage return (NUL among them: PostgreSQL
# cannot store it and C code cuts the string there), DEL and C1 controls, the bidirectional overrides and isolates
# that make a name read differently from what it is, lone surrogates and the non-characters U+FFFE/U+FFFF.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def control_character(value) -> str | None:
    """The first refused character of ``value`` as ``U+XXXX``, or None."""
    if not isinstance(value, str):
        return None
    m = _CONTROL_RE.search(value)
    return f"U+{ord(m.group()):04X}" if m else None


def control_message(char: str) -> tuple[str, str]:
    return (f"Teks berisi karakter kendali {char} yang tidak boleh disimpan; hapus karakter itu.",
            f"The text contains the control character {char}, which cannot be stored; remove it.")


def validate_plain_text(value) -> None:
    char = control_character(value)
    if char:
        raise ValidationError(bilingual(*control_message(char)), code="control_character")


def text_fields(model) -> list:
    from django.db import models

    return [f for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))]


def check_text(instance) -> None:
    """Refuse a row whose text holds a control character: :class:`DomainError` naming the field. Every save of a
    ``kopdes`` model goes through it (a ``pre_save`` receiver) and so does ``bulk_create`` of tenant rows."""
    from .errors import DomainError

    for f in text_fields(type(instance)):
        char = control_character(getattr(instance, f.attname, None))
        if char:
            msg_id, msg_en = control_message(char)
            raise DomainError(f"{f.verbose_name}: {msg_id}", f"{f.name}: {msg_en}", field=f.name,
                              code="control_character")


def install_text_guard() -> None:
    """Every text field of every ``kopdes`` model validates against control characters (forms show the error at
    the field) and every save checks them again (API, services, CLI)."""
    from django.apps import apps
    from django.db.models.signals import pre_save

    for model in apps.get_models():
        if not model.__module__.startswith("kopdes."):
            continue
        for f in text_fields(model):
            if validate_plain_text not in f.validators:
                f.validators.append(validate_plain_text)
    pre_save.connect(_pre_save_text, weak=False, dispatch_uid="kopdes_text_guard")


def _pre_save_text(sender, instance, raw=False, **kwargs):
    if raw or not sender.__module__.startswith("kopdes."):
        return
    check_text(instance)
