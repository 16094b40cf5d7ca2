"""URL map.

- ``/`` … global pages of core (login, cooperative list, regions);
- ``/k/<slug>/…`` cooperative (tenant) pages: core's at the root, each app's under its prefix;
- each app's ``urls.py`` may define ``urlpatterns`` (tenant pages, mounted under ``/k/<slug>/<prefix>/``)
  and ``global_urlpatterns`` (mounted at ``/``), both in the app's namespace.
"""

from importlib import import_module

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from kopdes.core import urls as core_urls

TENANT_PREFIXES = {
    "ledger": "akuntansi",
    "members": "anggota",
    "savings": "simpanan",
    "loans": "pinjaman",
    "retail": "gerai",
    "pharmacy": "apotek",
    "clinic": "klinik",
    "warehouse": "gudang",
    "logistics": "logistik",
    "supervision": "pembinaan",
    "portal": "portal",
    "api": "api-akses",
}

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include((core_urls.urlpatterns + [path("k/<slug:slug>/", include(core_urls.tenant_urlpatterns))], "core"),
                     namespace="core")),
]

for app, prefix in TENANT_PREFIXES.items():
    try:
        mod = import_module(f"kopdes.{app}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"kopdes.{app}.urls":
            raise
        continue
    patterns = list(getattr(mod, "global_urlpatterns", []))
    tenant = getattr(mod, "urlpatterns", [])
    if tenant:
        patterns.append(path(f"k/<slug:slug>/{prefix}/", include(tenant)))
    urlpatterns.append(path("", include((patterns, app), namespace=app)))

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
