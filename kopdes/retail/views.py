"""Gerai pages (thin): POS, catalogue, stock, purchasing, RDKK, reports."""

from __future__ import annotations


def dashboard_widget(request):
    return None
