from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("", views.home, name="home"),
    path("akun/", views.accounts, name="accounts"),
    path("akun/<int:pk>/", views.account_edit, name="account_edit"),
    path("laporan/<slug:name>/", views.report, name="report"),
    path("jurnal/", views.journal, name="journal"),
    path("jurnal/<int:pk>/", views.entry_detail, name="entry"),
    path("memorial/", views.manual_list, name="manual_list"),
    path("memorial/baru/", views.manual_new, name="manual_new"),
    path("memorial/<int:pk>/", views.manual_detail, name="manual_detail"),
    path("lampiran/<int:pk>/", views.attachment, name="attachment"),
    path("periode/", views.periods, name="periods"),
    path("saldo-awal/", views.opening, name="opening"),
    path("kas/", views.cash, name="cash"),
    path("shu/", views.shu_page, name="shu"),
    path("shu/<int:year>/slip/<int:member_id>/", views.shu_slip, name="shu_slip"),
    path("rat/", views.rat_page, name="rat"),
    path("rat/<int:year>/bahan.pdf", views.rat_pack, name="rat_pack"),
]

# fixed-name shortcuts for the side menu (menu entries reverse with the slug only)
urlpatterns += [
    path("lap/posisi-keuangan/", views.report, {"name": "posisi-keuangan"}, name="report_posisi"),
    path("lap/hasil-usaha/", views.report, {"name": "hasil-usaha"}, name="report_hasil"),
    path("lap/neraca-saldo/", views.report, {"name": "neraca-saldo"}, name="report_ns"),
    path("lap/arus-kas/", views.report, {"name": "arus-kas"}, name="report_kas"),
]
