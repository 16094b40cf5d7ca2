"""The OpenAPI document: generated from the routes, error responses typed as ``application/problem+json``.

``python -m kopdes.api.schema > openapi.json`` refreshes the committed copy (a test fails when it is stale).
"""

from __future__ import annotations

import json
import sys

from .errors import PROBLEM_TYPE

PREFIX = "/api/v1/"


def openapi() -> dict:
    from .api import api

    doc = api.get_openapi_schema(path_prefix=PREFIX)
    doc = json.loads(json.dumps(doc, default=str))
    for _path, ops in doc.get("paths", {}).items():
        for op in ops.values():
            for code, resp in op.get("responses", {}).items():
                content = resp.get("content") or {}
                if str(code).isdigit() and int(code) >= 400 and "application/json" in content:
                    resp["content"] = {PROBLEM_TYPE: content["application/json"]}
                if str(code) == "429":
                    resp["headers"] = {"Retry-After": {"description": "detik / seconds",
                                                       "schema": {"type": "integer"}}}
    doc["servers"] = [{"url": "/", "description": "this server"}]
    return doc


def dumps() -> str:
    return json.dumps(openapi(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


if __name__ == "__main__":  # pragma: no cover
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopdes.settings")
    django.setup()
    sys.stdout.write(dumps())
