"""Signals other apps listen to (so core never imports a business unit)."""

from django.dispatch import Signal

#: sent after a cooperative is created, inside the same transaction: ``koperasi``, ``by``.
koperasi_created = Signal()
