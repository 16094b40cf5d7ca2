"""Walk the running database's site as every demo staff role: every page reachable by links, every API GET.

    python scripts/walk.py [--per-route 2] [--json var/walk.json]

Uses Django's test client in-process against the database of DATABASE_URL (the demo must be built: ``kopdes setup``).
For each demo user of DEMO_USERS (pengurus, operators of each unit, pengawas, Dinas kabupaten/provinsi, Satgas) it
starts at ``/``, follows every same-site link of every HTML page (up to ``--per-route`` distinct URLs per URL
pattern, so a list of 500 members costs two detail pages, not 500), and records the status and server time of each
GET. Then, with a personal token per user, every GET operation of the OpenAPI schema, path parameters filled from
the demo (``{slug}``, ``{number}`` from the member list).

Fails (exit 1) on any 5xx or exception, on a link that leads to a 404, and — on Citus — when
``citus.enable_repartition_joins`` is on (a page that only works with repartition joins would fail on a real
cluster or be 10-60x slower), and with ``--single-shard`` on any cooperative page or cooperative API GET (as that
cooperative's own staff) that reads more than one shard. Prints a summary: pages per user, median/p95 time, the
slowest pages.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter, defaultdict, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopdes.settings")

SKIP_PREFIXES = ("/static/", "/media/", "/logout", "/keluar", "/i18n/", "/jsi18n/", "/api/v1/docs")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def _links(base: str, html: str) -> list[str]:
    p = _Links()
    p.feed(html)
    out = []
    for href in p.links:
        href = urldefrag(urljoin(base, href))[0]
        parts = urlsplit(href)
        if parts.scheme not in ("", "http") or (parts.netloc and parts.netloc != "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith("/") and not path.startswith(SKIP_PREFIXES):
            out.append(path)
    return out


def _route(path: str) -> str:
    from django.urls import Resolver404, resolve

    try:
        m = resolve(urlsplit(path).path)
    except Resolver404:
        return "?" + urlsplit(path).path
    return m.route + ("?" if "?" in path else "")


MULTI_SHARD = "multi-task query about to be executed"


def _single_shard(on: bool) -> None:
    """On Citus: make any query of the next request that would read several shards an error (the page is then
    noted as multi-shard and fetched again normally), except reads declared ``across_cooperatives``."""
    from kopdes.core.citus import set_single_shard

    set_single_shard(on)


def walk_pages(client, username: str, per_route: int, max_pages: int, single_shard: bool = False) -> list[dict]:
    seen: set[str] = set()
    per: Counter[str] = Counter()
    queue: deque[tuple[str, str]] = deque([("/", "")])
    results = []
    while queue and len(results) < max_pages:
        path, referrer = queue.popleft()
        if path in seen:
            continue
        route = _route(path)
        if per[route] >= per_route:
            continue
        seen.add(path)
        per[route] += 1
        multi = False
        if single_shard:
            _single_shard(True)
            try:
                client.get(path, follow=False)
            except Exception as exc:  # noqa: BLE001
                multi = MULTI_SHARD in str(exc)
            _single_shard(False)
        t0 = time.perf_counter()
        try:
            r = client.get(path, follow=False)
            status, error = r.status_code, ""
        except Exception as exc:  # the walk reports every failure, then goes on
            r, status, error = None, 500, f"{type(exc).__name__}: {exc}"[:300]
        ms = (time.perf_counter() - t0) * 1000
        results.append({"user": username, "path": path, "route": route, "status": status, "ms": round(ms, 1),
                        "from": referrer, "error": error, "multi_shard": multi})
        if r is None:
            continue
        if status in (301, 302) and r.get("Location"):
            loc = urlsplit(r["Location"])
            if not loc.netloc or loc.netloc == "testserver":
                queue.appendleft((loc.path + (f"?{loc.query}" if loc.query else ""), path))
            continue
        ctype = r.get("Content-Type", "")
        if status == 200 and ctype.startswith("text/html"):
            for link in _links(path, r.content.decode("utf-8", "replace")):
                if link not in seen:
                    queue.append((link, path))
    return results


def walk_api(client, username: str, token: str, slug: str, single_shard: bool = False) -> list[dict]:
    from kopdes.api.schema import openapi

    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    fills: dict[str, str] = {"slug": slug}
    results = []

    def get(path: str) -> tuple[int, object, float, str]:
        t0 = time.perf_counter()
        try:
            r = client.get(path, **auth)
            body = r.json() if r.get("Content-Type", "").startswith(("application/json", "application/problem"))\
                else None
            return r.status_code, body, (time.perf_counter() - t0) * 1000, ""
        except Exception as exc:
            return 500, None, (time.perf_counter() - t0) * 1000, f"{type(exc).__name__}: {exc}"[:300]

    status, body, _, _ = get(f"/api/v1/koperasi/{slug}/members?limit=1")
    if status == 200 and isinstance(body, dict) and body.get("items"):
        fills["number"] = str(body["items"][0]["number"])
    for path, ops in openapi()["paths"].items():
        if "get" not in ops:
            continue
        url = path
        for k, v in fills.items():
            url = url.replace("{" + k + "}", v)
        if "{" in url:
            results.append({"user": username, "path": path, "route": "api:" + path, "status": 0, "ms": 0,
                            "from": "openapi", "error": "no value for a path parameter"})
            continue
        multi = False
        if single_shard and f"/koperasi/{slug}/" in url:
            _single_shard(True)
            _, _, _, err = get(url)
            _single_shard(False)
            multi = MULTI_SHARD in err
        status, _, ms, error = get(url)
        results.append({"user": username, "path": url, "route": "api:" + path, "status": status,
                        "ms": round(ms, 1), "from": "openapi", "error": error, "multi_shard": multi})
    return results


def _failures(rows: list[dict]) -> list[dict]:
    bad = []
    for r in rows:
        if r["status"] >= 500 or r["error"] or r["status"] == 0:
            bad.append(r)
        elif r["status"] == 404 and r["from"] and not r["route"].startswith("api:"):
            bad.append(r)  # a page links to something that is not there
    return bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-route", type=int, default=2, help="distinct URLs per URL pattern and user (2)")
    ap.add_argument("--max-pages", type=int, default=600, help="pages per user at most (600)")
    ap.add_argument("--users", help="comma-separated demo usernames (default: every staff user of the demo)")
    ap.add_argument("--json", help="write every request (user, path, status, ms) to this file")
    ap.add_argument("--single-shard", action="store_true",
                    help="Citus: list the cooperative pages that read more than one shard (a tenant page should "
                         "read only its cooperative's)")
    a = ap.parse_args(argv)

    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from kopdes.api import services as api_services
    from kopdes.api.models import ALL_SCOPES
    from kopdes.core.demo import DEMO_SLUG, DEMO_USERS
    from kopdes.core.models import Koperasi, User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    logging.getLogger("kopdes.request").setLevel(logging.WARNING)  # the walk prints its own summary
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    citus = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_extension WHERE extname = 'citus'")
            citus = cur.fetchone()[0] == 1
            if citus:
                cur.execute("SHOW citus.enable_repartition_joins")
                if cur.fetchone()[0] != "off":
                    print("walk: citus.enable_repartition_joins is on; the walk must run with it off", file=sys.stderr)
                    return 1
    koperasi = Koperasi.objects.filter(slug=DEMO_SLUG).first()
    if koperasi is None:
        print(f"walk: no demo cooperative ({DEMO_SLUG}); run 'kopdes setup' first", file=sys.stderr)
        return 2
    wanted = set(a.users.split(",")) if a.users else None
    rows: list[dict] = []
    started = time.perf_counter()
    tokens = []
    for username, *_ in DEMO_USERS:
        if wanted and username not in wanted:
            continue
        user = User.objects.get(username=username)
        client = Client(raise_request_exception=True)
        client.force_login(user)
        t0 = time.perf_counter()
        region_role = user.roles.filter(koperasi__isnull=True).exists()
        pages = walk_pages(client, username, a.per_route, a.max_pages,
                           single_shard=a.single_shard and citus and not region_role)
        token, raw = api_services.create_personal_token(
            user, name="walk", scopes=list(ALL_SCOPES), koperasi=None if region_role else koperasi, days=1)
        tokens.append(token)
        type(token).objects.filter(pk=token.pk).update(rate_limit=100_000)
        api = walk_api(Client(raise_request_exception=True), username, raw, DEMO_SLUG,
                       single_shard=a.single_shard and citus and not region_role)
        rows += pages + api
        codes = Counter(r["status"] for r in pages + api)
        print(f"{username:<13} {len(pages):>4} pages {len(api):>3} API GETs  {time.perf_counter() - t0:6.1f} s  "
              + " ".join(f"{k}:{v}" for k, v in sorted(codes.items())), flush=True)
    for token in tokens:
        api_services.revoke_token(token)

    timed = [r["ms"] for r in rows if r["status"] == 200]
    by_route: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        if r["status"] == 200:
            by_route[r["route"]].append(r["ms"])
    db = "Citus" if citus else connection.vendor
    print(f"\n{db}: {len(rows)} requests ({len(by_route)} URL patterns answered 200) in "
          f"{time.perf_counter() - started:.0f} s; 200 median {statistics.median(timed):.0f} ms, "
          f"p95 {statistics.quantiles(timed, n=20)[-1]:.0f} ms")
    print("slowest URL patterns (median ms):")
    for route, ms in sorted(by_route.items(), key=lambda kv: -statistics.median(kv[1]))[:8]:
        print(f"  {statistics.median(ms):7.0f}  {route}")
    if a.json:
        Path(a.json).write_text(json.dumps({"database": db, "rows": rows}, ensure_ascii=False, indent=0))
    multi = sorted({r["route"] for r in rows if r.get("multi_shard")})
    if a.single_shard and citus:
        print(f"cooperative pages and API GETs that read more than one shard: {len(multi)} URL patterns")
        for route in multi:
            example = next(r for r in rows if r.get("multi_shard") and r["route"] == route)
            print(f"FAIL multi-shard: {route}  ({example['user']} {example['path']}; "
                  f"see scripts/shardprobe.py)", file=sys.stderr)
    bad = _failures(rows)
    for r in bad:
        print(f"FAIL {r['status']} {r['user']} {r['path']} (from {r['from']}) {r['error']}", file=sys.stderr)
    print(f"walk: {len(bad)} failures, {len(multi)} multi-shard cooperative URL patterns")
    return 1 if bad or multi else 0


if __name__ == "__main__":
    sys.exit(main())
