"""Warehouse: temperature readings from cold-room sensors (device tokens, batched)."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Field, Header, Router, Schema

from kopdes.warehouse.services import record_readings

from ..auth import require_scope
from ..common import idempotent, responses
from ..models import DEVICE_SCOPE
from ..types import Celsius, IsoDateTime

router = Router(tags=["gudang"])


class Reading(Schema):
    at: IsoDateTime = Field(..., description="ISO 8601 dengan zona waktu, mis. 2026-01-05T07:00:00+07:00")
    celsius: Celsius


class ReadingsIn(Schema):
    readings: list[Reading] = Field(..., min_length=1, max_length=5000)


class ReadingsOut(Schema):
    received: int
    stored: int
    duplicates: int
    out_of_range: int
    alerts_opened: int


@router.post("/devices/readings", response=responses(ReadingsOut, 400, 409, status=201),
             summary="Kirim pembacaan suhu (token perangkat)")
def post_readings(request, data: ReadingsIn, response: HttpResponse,
                  idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=80)):
    """Only a sensor's own token (issued in the warehouse pages) may call this; it records into that sensor's
    cold room of its cooperative. Re-sent readings (same sensor and time) are counted as duplicates."""
    p = require_scope(request, DEVICE_SCOPE)
    device = p.device
    rows = [{"at": r.at.isoformat(), "celsius": str(r.celsius)} for r in data.readings]

    def run():
        return record_readings(device.koperasi, device, rows)

    result = idempotent(request, device.koperasi, "warehouse.readings", idempotency_key, {"readings": rows},
                              run)
    if request.idempotent_replayed:
        response["Idempotent-Replayed"] = "true"
    return result
