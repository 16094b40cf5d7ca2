"""Show the queries of one page that read more than one Citus shard, and the code that issued them.

    DATABASE_URL=… python scripts/shardprobe.py USERNAME PATH [PATH ...]
    DATABASE_URL=… python scripts/shardprobe.py --command demo --only warehouse logistics

For each path: fetches it as the demo user with ``citus.multi_task_query_log_level = notice``, and prints every
statement that drew Citus' "multi-task query" notice (shortened) with the innermost frames of Kopdes code that ran it.
A developer's tool for ``scripts/walk.py --single-shard`` findings; not part of the product.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopdes.settings")


def main(argv: list[str]) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from kopdes.core.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    MULTI = "multi-task query about to be executed"
    found: list[tuple[str, str]] = []
    notices: list[str] = []
    handled: set[int] = set()

    def wrapper(execute, sql, params, many, context):
        raw = connection.connection
        if id(raw) not in handled:
            handled.add(id(raw))
            raw.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
            raw.execute("SET citus.multi_task_query_log_level = notice")
        before = len(notices)
        result = execute(sql, params, many, context)
        if any(MULTI in n for n in notices[before:]):
            frames = [f for f in traceback.extract_stack() if "/kopdes/" in f.filename
                      and "/site-packages/" not in f.filename and "core/db/" not in f.filename]
            where = " <- ".join(f"{Path(f.filename).parent.name}/{Path(f.filename).name}:{f.lineno} {f.name}"
                                for f in reversed(frames[-4:]))
            found.append((" ".join(sql.split())[:400], where))
        return result

    if argv[0] == "--command":
        from collections import Counter

        from django.core.management import call_command

        with connection.execute_wrapper(wrapper):
            call_command(argv[1], *argv[2:])
        counts = Counter(where for _sql, where in found)
        sample = {where: sql for sql, where in found}
        print(f"multi-shard statements: {len(found)} from {len(counts)} places")
        for where, n in counts.most_common():
            print(f"  {n:6d}  {where}\n          {sample[where][:300]}")
        return 0
    username, paths = argv[0], argv[1:]
    user = User.objects.get(username=username)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    for path in paths:
        print(f"== {path}")
        found.clear()
        with connection.execute_wrapper(wrapper):
            r = client.get(path)
        print(f"   status {r.status_code}; multi-shard queries: {len(found)}")
        for sql, where in found:
            print(f"   - {where}\n     {sql}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
