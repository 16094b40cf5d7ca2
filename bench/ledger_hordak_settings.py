"""Settings for the ledger benchmark's side-by-side run against django-hordak (bench only, never production)."""

from kopdes.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "mptt", "djmoney", "hordak"]  # noqa: F405
DEFAULT_CURRENCY = "IDR"
CURRENCIES = ["IDR"]
HORDAK_CURRENCIES = ["IDR"]
HORDAK_INTERNAL_CURRENCY = "IDR"
HORDAK_MAX_DIGITS = 18
