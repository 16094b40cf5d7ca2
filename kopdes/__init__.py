"""Kopdes: software for Koperasi Desa/Kelurahan Merah Putih."""

__version__ = "0.1.0"
