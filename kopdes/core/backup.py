"""Backup and restore of a whole Kopdes installation: the database, the uploaded media and a manifest.

``create_backup()`` writes ONE file ``kopdes-backup-YYYYMMDD-HHMMSS.tar.gz`` while the server keeps running:

- ``db.sqlite3``: SQLite's online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot page
  by page while cashiers go on writing; or ``db.dump``: ``pg_dump -Fc`` (one consistent snapshot transaction);
- ``secret_key``: the generated ``SECRET_KEY`` file (``var/secret_key``), when there is one (a key given in
  ``KOPDES_SECRET_KEY`` lives in the operator's environment and is not copied);
- ``media/...``: every file under ``MEDIA_ROOT``;
- ``private/...``: every file under ``var/private/`` (files never served as media: the supervision evidence);
- ``manifest.json`` (last member): format version, time, Kopdes version, database vendor, the applied
  migrations per app (the schema version) and the sha256 and size of every other member.

The archive is written under a temporary name and renamed when complete (never a half file under the real
name); the oldest archives beyond ``keep`` are then deleted.

``restore_backup(path)`` refuses a file that is not ours, is corrupt (a checksum differs), comes from the other
database vendor or from a newer Kopdes schema, or a target database that already holds a cooperative or a user.
It also refuses to replace an existing, different secret key unless ``force=True`` (sessions and signed links
made with it would stop working). It then puts the database, media, private files and secret key in place and
runs ``kopdes ledger-check`` on the restored data. Every refusal is a :class:`~kopdes.core.errors.DomainError`
(Indonesian, English).
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import connection, connections
from django_tasks import task

from kopdes.core.errors import DomainError

FORMAT = "kopdes-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SECRET_KEY_MEMBER = "secret_key"
PREFIX = "kopdes-backup-"
SUFFIX = ".tar.gz"
DEFAULT_KEEP = 14
CHUNK = 1 << 20
# rows in either table mean the target database is in use: a restore there would mix two installations
NONEMPTY_TABLES = ("core_koperasi", "core_user")


@dataclass
class RestoreReport:
    """What ``restore_backup`` did: the manifest it trusted and the ledger check's verdict."""

    manifest: dict[str, Any]
    media_files: int
    ledger_ok: bool
    ledger_output: str
    warnings: list[str] = field(default_factory=list)
    private_files: int = 0
    secret_key_restored: bool = False


# --- helpers ------------------------------------------------------------------------------------------------

def _corrupt(detail_id: str, detail_en: str) -> DomainError:
    return DomainError(f"Berkas cadangan rusak: {detail_id}", f"Backup file is corrupt: {detail_en}",
                       field="file", code="backup_corrupt")


def _not_ours(detail_id: str, detail_en: str) -> DomainError:
    return DomainError(f"Bukan berkas cadangan Kopdes: {detail_id}", f"Not a Kopdes backup file: {detail_en}",
                       field="file", code="backup_invalid")


def vendor_of(db: dict[str, Any]) -> str:
    engine = db.get("ENGINE", "")
    if "sqlite" in engine:
        return "sqlite"
    if "postgres" in engine:
        return "postgresql"
    return engine.rsplit(".", 1)[-1]


def backup_dir(to_dir: str | os.PathLike | None = None) -> Path:
    if to_dir:
        return Path(to_dir)
    env = os.environ.get("KOPDES_BACKUP_DIR")
    return Path(env) if env else Path(settings.VAR_DIR) / "backups"


def default_keep() -> int:
    return int(os.environ.get("KOPDES_BACKUP_KEEP", str(DEFAULT_KEEP)))


def list_backups(to_dir: str | os.PathLike | None = None) -> list[Path]:
    """Finished archives in the backup folder, oldest first."""
    d = backup_dir(to_dir)
    if not d.is_dir():
        return []
    files = [p for p in d.glob(f"{PREFIX}*{SUFFIX}") if p.is_file()]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def last_backup(to_dir: str | os.PathLike | None = None) -> Path | None:
    files = list_backups(to_dir)
    return files[-1] if files else None


def secret_key_path() -> Path:
    """The file ``kopdes/settings.py`` generates the ``SECRET_KEY`` into (``var/secret_key``)."""
    return Path(settings.VAR_DIR) / "secret_key"


def private_root() -> Path:
    """Files kept outside ``MEDIA_ROOT`` (never served as media), e.g. the supervision evidence."""
    return Path(settings.VAR_DIR) / "private"


def find_pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore``: ``$KOPDES_PG_BINDIR``, then PATH, then the newest /usr/lib/postgresql/*/bin."""
    bindir = os.environ.get("KOPDES_PG_BINDIR")
    if bindir and os.access(os.path.join(bindir, name), os.X_OK):
        return os.path.join(bindir, name)
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0, reverse=True)
    if candidates:
        return candidates[0]
    raise DomainError(f"Program {name} tidak ditemukan (pasang postgresql-client).",
                      f"{name} not found (install postgresql-client).", code="backup_tool_missing")


def _pg_args(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args: list[str] = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _run(cmd: list[str], env: dict[str, str], what_id: str, what_en: str) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        err = (proc.stderr or proc.stdout).strip()[-2000:]
        raise DomainError(f"{what_id} gagal: {err}", f"{what_en} failed: {err}", code="backup_tool_failed")


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


class _HashingReader(io.RawIOBase):
    """Hashes what ``tarfile`` reads, so a member's checksum is that of the bytes really archived."""

    def __init__(self, f: IO[bytes]):
        self._f = f
        self.sha = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self._f.read(n)
        self.sha.update(data)
        self.size += len(data)
        return data


def applied_migrations(conn=None) -> dict[str, list[str]]:
    conn = conn or connection
    with conn.cursor() as cur:
        cur.execute("SELECT app, name FROM django_migrations ORDER BY app, id")
        rows = cur.fetchall()
    out: dict[str, list[str]] = {}
    for app, name in rows:
        out.setdefault(app, []).append(name)
    return out


def _kopdes_version() -> str:
    try:
        from importlib.metadata import version

        return version("kopdes")
    except Exception:  # noqa: BLE001 - not installed as a distribution
        import kopdes

        return getattr(kopdes, "__version__", "")


# --- backup -------------------------------------------------------------------------------------------------

def _dump_database(db: dict[str, Any], vendor: str, staging: Path) -> tuple[str, Path]:
    if vendor == "sqlite":
        target = staging / "db.sqlite3"
        connection.ensure_connection()
        src = connection.connection  # Django's own sqlite3 connection: works for a file and the in-memory test DB
        dst = sqlite3.connect(target)
        try:
            # pages=… lets the server's writers in between steps; a write restarts the copy, so it stays consistent
            src.backup(dst, pages=1024, sleep=0.005)
        finally:
            dst.close()
        return "db.sqlite3", target
    if vendor == "postgresql":
        target = staging / "db.dump"
        args, env = _pg_args(db)
        _run([find_pg_tool("pg_dump"), "-Fc", "--no-owner", "-f", str(target), *args, str(db["NAME"])], env,
             "pg_dump", "pg_dump")
        return "db.dump", target
    raise DomainError(f"Basis data {vendor} tidak didukung untuk cadangan.",
                      f"Database {vendor} is not supported for backup.", code="backup_unsupported")


def _tree_files(root_dir: Path, prefix: str) -> list[tuple[str, Path]]:
    """``(prefix/relative/path, path)`` of every regular file under ``root_dir``, sorted."""
    if not root_dir.is_dir():
        return []
    out = []
    for root, dirs, files in os.walk(root_dir):
        dirs.sort()
        for name in sorted(files):
            p = Path(root) / name
            if p.is_file() and not p.is_symlink() and not name.endswith(".restoring"):
                out.append((f"{prefix}/" + p.relative_to(root_dir).as_posix(), p))
    return out


def _media_files(media_root: Path) -> list[tuple[str, Path]]:
    return _tree_files(media_root, "media")


def _add_member(tar: tarfile.TarFile, arcname: str, path: Path, mtime: float) -> dict[str, Any]:
    info = tarfile.TarInfo(arcname)
    info.size = path.stat().st_size
    info.mtime = int(mtime)
    info.mode = 0o600
    with open(path, "rb") as f:
        reader = _HashingReader(f)
        tar.addfile(info, reader)
    if reader.size != info.size:  # the file changed under us (tarfile would have raised on a short read)
        raise OSError(f"{path} changed while being archived")
    return {"sha256": reader.sha.hexdigest(), "size": reader.size}


def create_backup(to_dir: str | os.PathLike | None = None, keep: int | None = None) -> Path:
    """Write one consistent backup archive; return its path. Deletes the oldest beyond ``keep``."""
    keep = default_keep() if keep is None else keep
    if keep < 1:
        raise DomainError("Jumlah cadangan yang disimpan minimal 1.", "keep must be at least 1.", field="keep")
    out_dir = backup_dir(to_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    db = settings.DATABASES["default"]
    vendor = vendor_of(db)
    now = dt.datetime.now(dt.UTC)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    final = out_dir / f"{PREFIX}{stamp}{SUFFIX}"
    n = 1
    while final.exists():
        n += 1
        final = out_dir / f"{PREFIX}{stamp}-{n}{SUFFIX}"
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="kopdes-backup-", dir=out_dir) as tmp:
        staging = Path(tmp)
        migrations = applied_migrations()
        db_name, db_path = _dump_database(db, vendor, staging)
        part = out_dir / f".{final.name}.part"
        files: dict[str, dict[str, Any]] = {}
        mtime = now.timestamp()
        try:
            with tarfile.open(part, "w:gz", compresslevel=6) as tar:
                key_file = secret_key_path()
                if key_file.is_file():  # first, so a restore reads it without unpacking the database
                    files[SECRET_KEY_MEMBER] = _add_member(tar, SECRET_KEY_MEMBER, key_file, key_file.stat().st_mtime)
                files[db_name] = _add_member(tar, db_name, db_path, mtime)
                for arcname, path in _media_files(media_root) + _tree_files(private_root(), "private"):
                    try:
                        files[arcname] = _add_member(tar, arcname, path, path.stat().st_mtime)
                    except FileNotFoundError:  # deleted by the server meanwhile: not part of this snapshot
                        continue
                manifest = {
                    "format": FORMAT, "format_version": FORMAT_VERSION,
                    "created_at": now.isoformat(timespec="seconds"), "kopdes_version": _kopdes_version(),
                    "database": {"vendor": vendor, "member": db_name}, "migrations": migrations,
                    "files": files,
                }
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(mtime), 0o600
                tar.addfile(info, io.BytesIO(data))
            with open(part, "rb") as f:
                os.fsync(f.fileno())
            os.replace(part, final)
        finally:
            if part.exists():
                part.unlink()
    _prune(out_dir, keep)
    return final


def _prune(out_dir: Path, keep: int) -> list[Path]:
    files = list_backups(out_dir)
    removed = files[:-keep] if len(files) > keep else []
    for p in removed:
        p.unlink(missing_ok=True)
    return removed


# --- verify -------------------------------------------------------------------------------------------------

def _safe_member_name(name: str) -> bool:
    p = PurePosixPath(name)
    return bool(name) and not p.is_absolute() and ".." not in p.parts and "\\" not in name


def verify_backup(path: str | os.PathLike) -> dict[str, Any]:
    """Check that ``path`` is a complete, unchanged Kopdes backup; return its manifest. Raises DomainError."""
    path = Path(path)
    if not path.is_file():
        raise DomainError(f"Berkas {path} tidak ada.", f"File {path} does not exist.", field="file",
                          code="backup_missing")
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic != b"\x1f\x8b":
        raise _not_ours("bukan arsip .tar.gz.", "not a .tar.gz archive.")
    seen: dict[str, dict[str, Any]] = {}
    manifest_bytes: bytes | None = None
    try:
        with tarfile.open(path, "r:gz") as tar:
            for m in tar:
                if not _safe_member_name(m.name):
                    raise _not_ours(f"nama anggota arsip tidak aman {m.name!r}.", f"unsafe member name {m.name!r}.")
                if m.isdir():
                    continue
                if not m.isfile():
                    raise _not_ours(f"anggota arsip {m.name!r} bukan berkas biasa.",
                                    f"member {m.name!r} is not a regular file.")
                f = tar.extractfile(m)
                assert f is not None
                if m.name == MANIFEST:
                    manifest_bytes = f.read(10 * CHUNK)
                    continue
                h = hashlib.sha256()
                size = 0
                while block := f.read(CHUNK):
                    h.update(block)
                    size += len(block)
                seen[m.name] = {"sha256": h.hexdigest(), "size": size}
    except DomainError:
        raise
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        if not seen and manifest_bytes is None:
            raise _not_ours(f"arsip tidak bisa dibaca ({exc}).", f"the archive cannot be read ({exc}).") from None
        raise _corrupt(f"arsip terpotong atau rusak ({exc}).", f"the archive is truncated or damaged ({exc})."
                       ) from None
    if manifest_bytes is None:
        raise _not_ours(f"{MANIFEST} tidak ada di dalam arsip.", f"{MANIFEST} is missing from the archive.")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError:
        raise _corrupt(f"{MANIFEST} tidak bisa dibaca.", f"{MANIFEST} cannot be parsed.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _not_ours(f"{MANIFEST} bukan milik Kopdes.", f"{MANIFEST} is not a Kopdes manifest.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise DomainError(
            f"Versi format cadangan {manifest.get('format_version')} tidak dikenal (versi ini membaca {FORMAT_VERSION}).",
            f"Unknown backup format version {manifest.get('format_version')} (this version reads {FORMAT_VERSION}).",
            field="file", code="backup_version")
    listed: dict[str, Any] = manifest.get("files") or {}
    db_member = (manifest.get("database") or {}).get("member")
    if db_member not in listed:
        raise _corrupt("basis data tidak tercatat di manifest.", "the database is not listed in the manifest.")
    for name, meta in sorted(listed.items()):
        got = seen.get(name)
        if got is None:
            raise _corrupt(f"{name} hilang dari arsip.", f"{name} is missing from the archive.")
        if got["size"] != meta.get("size") or got["sha256"] != meta.get("sha256"):
            raise _corrupt(f"checksum {name} tidak cocok.", f"checksum of {name} does not match.")
    extra = sorted(set(seen) - set(listed))
    if extra:
        raise _corrupt(f"{extra[0]} tidak tercatat di manifest.", f"{extra[0]} is not listed in the manifest.")
    return manifest


# --- restore ------------------------------------------------------------------------------------------------

def _target_db(database_url: str | None) -> dict[str, Any]:
    if not database_url:
        return dict(settings.DATABASES["default"])
    import dj_database_url

    return dj_database_url.parse(database_url)


def _sqlite_path(db: dict[str, Any]) -> Path:
    name = str(db["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        raise DomainError("Basis data SQLite di memori tidak bisa dipulihkan; berikan berkas tujuan.",
                          "An in-memory SQLite database cannot be restored into; give a target file.",
                          code="backup_target")
    return Path(name)


def _sqlite_rows(path: Path) -> int:
    if not path.exists() or path.stat().st_size == 0:
        return 0
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        total = 0
        for table in NONEMPTY_TABLES:
            exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone()
            if exists:
                total += conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        return total
    finally:
        conn.close()


def _pg_conninfo(db: dict[str, Any]) -> dict[str, Any]:
    info: dict[str, Any] = {"dbname": db["NAME"]}
    for key, arg in (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password")):
        if db.get(key):
            info[arg] = str(db[key])
    return info


def _pg_rows(db: dict[str, Any]) -> int:
    import psycopg

    with psycopg.connect(**_pg_conninfo(db), autocommit=True) as conn:
        total = 0
        for table in NONEMPTY_TABLES:
            reg = conn.execute("SELECT to_regclass(%s)", (f"public.{table}",)).fetchone()
            if reg and reg[0]:
                total += conn.execute(f'SELECT COUNT(*) FROM public."{table}"').fetchone()[0]
        return total


def _refuse_nonempty() -> DomainError:
    return DomainError(
        "Basis data tujuan tidak kosong (sudah ada koperasi atau pengguna). Pulihkan hanya ke basis data kosong.",
        "The target database is not empty (it has a cooperative or a user). Restore only into an empty database.",
        code="backup_target_not_empty")


def _check_schema(manifest: dict[str, Any]) -> list[str]:
    """Refuse a backup from a newer schema; warn when it is older (``kopdes migrate`` brings it up to date)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    backed = {(app, name) for app, names in (manifest.get("migrations") or {}).items() for name in names}
    unknown = sorted(backed - known)
    if unknown:
        app, name = unknown[0]
        raise DomainError(
            f"Cadangan dibuat oleh versi Kopdes yang lebih baru (migrasi {app}.{name} tidak dikenal). "
            "Pasang versi itu dulu.",
            f"The backup was made by a newer Kopdes (migration {app}.{name} is unknown). Install that version first.",
            field="file", code="backup_schema_newer")
    missing = sorted(known - backed)
    if missing:
        return [f"skema cadangan lebih lama: jalankan `kopdes migrate` / older schema in the backup: run "
                f"`kopdes migrate` ({len(missing)} migrations)"]
    return []


def _extract_to(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path, mode: int | None = None) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    src = tar.extractfile(member)
    assert src is not None
    tmp = dest.with_name(f".{dest.name}.restoring")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    with os.fdopen(os.open(tmp, flags, mode if mode is not None else 0o666), "wb") as out:
        if mode is not None:
            os.chmod(tmp, mode)
        shutil.copyfileobj(src, out, CHUNK)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, dest)


def _database_url(db: dict[str, Any], vendor: str) -> str:
    if vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    from urllib.parse import quote

    auth = quote(str(db.get("USER") or ""), safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(str(db["PASSWORD"]), safe="")
    host = str(db.get("HOST") or "")
    if host.startswith("/"):  # unix socket folder: libpq takes it as ?host=
        netloc = f"{auth}@" if auth else ""
        return f"postgres://{netloc}/{db['NAME']}?host={quote(host, safe='')}" + (
            f"&port={db['PORT']}" if db.get("PORT") else "")
    netloc = (f"{auth}@" if auth else "") + host + (f":{db['PORT']}" if db.get("PORT") else "")
    return f"postgres://{netloc}/{db['NAME']}"


def run_ledger_check(database_url: str | None = None) -> tuple[bool, str]:
    """``kopdes ledger-check`` in a fresh process (it sees the restored data, not this process's connections)."""
    env = dict(os.environ)
    if database_url:
        env["DATABASE_URL"] = database_url
    env.setdefault("DJANGO_SETTINGS_MODULE", "kopdes.settings")
    proc = subprocess.run([sys.executable, "-m", "kopdes", "ledger_check"], env=env, capture_output=True, text=True)
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()


def _archived_secret_key(path: str | os.PathLike, manifest: dict[str, Any]) -> bytes | None:
    if SECRET_KEY_MEMBER not in (manifest.get("files") or {}):
        return None
    with tarfile.open(path, "r:gz") as tar:
        for m in tar:
            if m.name == SECRET_KEY_MEMBER and m.isfile():
                f = tar.extractfile(m)
                assert f is not None
                return f.read()
    return None


def _check_secret_key(archived: bytes | None, dest: Path, force: bool) -> bool:
    """True when ``dest`` is to be written. Refuses to replace a different key unless ``force``."""
    if archived is None:
        return False
    if not dest.exists():
        return True
    current = dest.read_bytes()
    if current.strip() == archived.strip():
        return False
    if force or (getattr(settings, "SECRET_KEY_GENERATED_NOW", False)
                 and dest.resolve() == secret_key_path().resolve()
                 and current.strip() == settings.SECRET_KEY.encode()):
        # a key this very process just generated and that the file still holds (nothing can have used it yet) is
        # replaced without --force; a key written there since is someone's and is refused like any other
        return True
    raise DomainError(
        f"Kunci rahasia {dest} sudah ada dan berbeda dengan yang di cadangan. Menimpanya membuat sesi dan tautan "
        "bertanda tangan dari kunci lama tidak berlaku. Jika instalasi ini belum dipakai, ulangi dengan --force.",
        f"The secret key {dest} exists and differs from the one in the backup. Replacing it invalidates sessions "
        "and signed links made with the old key. If this installation is not in use yet, repeat with --force.",
        code="backup_secret_key_differs")


def _safe_dest(root: Path, name: str, prefix: str) -> Path:
    rel = PurePosixPath(name).relative_to(prefix)
    dest = root.joinpath(*rel.parts)
    if not dest.resolve().is_relative_to(root.resolve()):
        raise _not_ours(f"nama anggota arsip tidak aman {name!r}.", f"unsafe member name {name!r}.")
    return dest


def restore_backup(path: str | os.PathLike, *, database_url: str | None = None,
                   media_root: str | os.PathLike | None = None, private_dir: str | os.PathLike | None = None,
                   secret_key_file: str | os.PathLike | None = None, force: bool = False,
                   ledger_check: bool = True) -> RestoreReport:
    """Restore a backup into an EMPTY database (default: this installation's), media and private folders and
    the secret key file.

    ``database_url`` restores into another database (a second PostgreSQL database or SQLite file); the ledger
    check then runs against that one. ``media_root``, ``private_dir`` and ``secret_key_file`` default to this
    installation's (``MEDIA_ROOT``, ``var/private``, ``var/secret_key``). ``force`` replaces an existing,
    different secret key.
    """
    manifest = verify_backup(path)
    db = _target_db(database_url)
    vendor = vendor_of(db)
    backed_vendor = manifest["database"].get("vendor")
    if backed_vendor != vendor:
        raise DomainError(
            f"Cadangan ini dari basis data {backed_vendor}, basis data tujuan {vendor}.",
            f"This backup is from a {backed_vendor} database, the target is {vendor}.",
            field="file", code="backup_vendor")
    warnings = _check_schema(manifest)
    is_current = database_url is None
    media_dir = Path(media_root) if media_root is not None else Path(settings.MEDIA_ROOT)
    priv_dir = Path(private_dir) if private_dir is not None else private_root()
    key_dest = Path(secret_key_file) if secret_key_file is not None else secret_key_path()
    db_member = manifest["database"]["member"]
    write_key = _check_secret_key(_archived_secret_key(path, manifest), key_dest, force)
    if SECRET_KEY_MEMBER not in manifest["files"]:
        warnings.append("cadangan tanpa kunci rahasia (KOPDES_SECRET_KEY atau cadangan lama): sesi lama tidak "
                        "berlaku / the backup holds no secret key (KOPDES_SECRET_KEY or an older backup): old "
                        "sessions end")
    elif os.environ.get("KOPDES_SECRET_KEY") and secret_key_file is None:
        warnings.append("KOPDES_SECRET_KEY diatur: berkas kunci yang dipulihkan tidak dipakai / "
                        "KOPDES_SECRET_KEY is set: the restored key file is not used")

    if vendor == "sqlite":
        target = _sqlite_path(db)
        if _sqlite_rows(target):
            raise _refuse_nonempty()
    else:
        if _pg_rows(db):
            raise _refuse_nonempty()
    if is_current:
        connections.close_all()

    media_count = private_count = 0
    with tempfile.TemporaryDirectory(prefix="kopdes-restore-") as tmp, tarfile.open(path, "r:gz") as tar:
        for m in tar:
            if not m.isfile() or m.name == MANIFEST:
                continue
            if m.name == db_member:
                if vendor == "sqlite":
                    target.parent.mkdir(parents=True, exist_ok=True)
                    _extract_to(tar, m, target.with_name(target.name + ".restored"))
                    for side in ("-wal", "-shm", "-journal"):
                        Path(str(target) + side).unlink(missing_ok=True)
                    os.replace(target.with_name(target.name + ".restored"), target)
                else:
                    dump = Path(tmp) / "db.dump"
                    _extract_to(tar, m, dump)
                    args, env = _pg_args(db)
                    _run([find_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                          "--clean", "--if-exists", *args, "-d", str(db["NAME"]), str(dump)], env,
                         "pg_restore", "pg_restore")
            elif m.name.startswith("media/"):
                _extract_to(tar, m, _safe_dest(media_dir, m.name, "media"))
                media_count += 1
            elif m.name.startswith("private/"):
                _extract_to(tar, m, _safe_dest(priv_dir, m.name, "private"), mode=0o600)
                private_count += 1
            elif m.name == SECRET_KEY_MEMBER and write_key:
                _extract_to(tar, m, key_dest, mode=0o600)
    ok, output = (True, "")
    if ledger_check:
        ok, output = run_ledger_check(None if is_current else _database_url(db, vendor))
    return RestoreReport(manifest=manifest, media_files=media_count, ledger_ok=ok, ledger_output=output,
                         warnings=warnings, private_files=private_count, secret_key_restored=write_key)


# --- the daily backup through the task worker -----------------------------------------------------------------

def next_daily_run(now: dt.datetime | None = None) -> dt.datetime:
    """The next ``$KOPDES_BACKUP_AT`` (local time, default 02:00) after ``now``."""
    from django.utils import timezone

    now = timezone.localtime(now or timezone.now())
    hh, _, mm = os.environ.get("KOPDES_BACKUP_AT", "02:00").partition(":")
    when = now.replace(hour=int(hh), minute=int(mm or 0), second=0, microsecond=0)
    return when if when > now else when + dt.timedelta(days=1)


def schedule_daily_backup(now: dt.datetime | None = None) -> dt.datetime | None:
    """Queue the next daily backup unless one is already waiting; return when it runs (None: nothing queued).

    Only a backend that can defer (the database backend the worker runs) gets one: the task re-queues itself
    after each run, so one ``kopdes backup --schedule`` starts the daily chain.
    """
    backend = daily_backup.get_backend()
    if not backend.supports_defer:
        return None
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.filter(task_path=daily_backup.module_path, status="READY").exists():
        return None
    when = next_daily_run(now)
    daily_backup.using(run_after=when).enqueue()
    return when


@task()
def daily_backup() -> str:
    """Daily backup (``kopdes worker``): ``create_backup()`` into the default folder, then queue the next one."""
    try:
        path = create_backup()
    finally:
        schedule_daily_backup()
    return str(path)
