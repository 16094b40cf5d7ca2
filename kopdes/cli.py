"""The ``kopdes`` command (also ``python -m kopdes``).

``kopdes load-regions`` runs the management command ``load_regions``; every Django management command is
reachable the same way, and ``kopdes --help`` lists the Kopdes ones with their help text.
"""

from __future__ import annotations

import os
import sys


def _kopdes_commands() -> list[tuple[str, str]]:
    from django.core.management import get_commands, load_command_class

    out = []
    for name, app in sorted(get_commands().items()):
        if not app.startswith("kopdes."):
            continue
        try:
            help_text = load_command_class(app, name).help
        except Exception:  # noqa: BLE001
            help_text = ""
        out.append((name.replace("_", "-"), help_text))
    return out


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopdes.settings")
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    if len(argv) < 2 or argv[1] in ("-h", "--help", "help"):
        print("Kopdes — sistem Koperasi Desa/Kelurahan Merah Putih\n")
        print("Pemakaian / usage: kopdes PERINTAH [opsi]   (kopdes PERINTAH --help untuk rincian)\n")
        for name, text in _kopdes_commands():
            print(f"  {name:<18} {text}")
        print("\nSemua perintah Django juga tersedia (mis. kopdes migrate). / All Django commands work too.")
        return
    command = argv[1].replace("-", "_")
    from django.core.management import get_commands

    if command not in get_commands():
        sys.stderr.write(
            f"kopdes: perintah tidak dikenal / unknown command: {argv[1]!r}. Lihat / see: kopdes --help\n"
        )
        sys.exit(2)
    execute_from_command_line(["kopdes", command, *argv[2:]])


if __name__ == "__main__":
    main()
