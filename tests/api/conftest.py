"""Fixtures for API tests: tokens and a client sending them."""

from __future__ import annotations

import pytest


@pytest.fixture
def token_for(db):
    """``token_for(user, scopes=[...], koperasi=None)`` → the raw bearer token."""
    from kopdes.api.models import ALL_SCOPES
    from kopdes.api.services import create_personal_token

    def _make(user, scopes=None, koperasi=None, **kw):
        _t, raw = create_personal_token(user, name="test", scopes=scopes or ALL_SCOPES, koperasi=koperasi, **kw)
        return raw

    return _make


@pytest.fixture
def api(client):
    """``api(raw).get(path)`` / ``.post(path, json, key=...)``."""

    class _Api:
        def __init__(self, raw):
            self.h = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw else {}

        def get(self, path, **params):
            return client.get(path, params, **self.h)

        def post(self, path, data, key=None):
            h = dict(self.h)
            if key:
                h["HTTP_IDEMPOTENCY_KEY"] = key
            return client.post(path, data, content_type="application/json", **h)

    return _Api
