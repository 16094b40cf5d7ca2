"""The committed openapi.json is the schema the code serves (regenerate: python -m kopdes.api.schema > openapi.json)."""

from __future__ import annotations

import json
from pathlib import Path

from kopdes.api.schema import dumps

ROOT = Path(__file__).resolve().parents[2]


def test_committed_openapi_is_current():
    committed = (ROOT / "openapi.json").read_text()
    assert json.loads(committed) == json.loads(dumps()), (
        "openapi.json is stale: run `.venv/bin/python -m kopdes.api.schema > openapi.json`"
    )


def test_every_operation_documents_problem_errors():
    doc = json.loads(dumps())
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            assert {"401", "404", "422", "429"} <= codes, (method, path, codes)
            for code, resp in op["responses"].items():
                if int(code) >= 400:
                    assert list(resp["content"]) == ["application/problem+json"], (method, path, code)
            if method in ("post", "put", "patch", "delete"):
                names = {p["name"] for p in op.get("parameters", [])}
                assert "Idempotency-Key" in names, (method, path)
