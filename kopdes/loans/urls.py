from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("kalkulator/", views.calculator, name="calculator"),
    path("produk/", views.products, name="products"),
    path("pengaturan/", views.settings_view, name="settings"),
    path("ajukan/", views.apply, name="apply"),
    path("portofolio/", views.portfolio, name="portfolio"),
    path("pembiayaan-bank/", views.bank, name="bank"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/analisis/", views.analyse, name="analyse"),
    path("<int:pk>/setujui/", views.approve, name="approve"),
    path("<int:pk>/tolak/", views.reject, name="reject"),
    path("<int:pk>/batal/", views.cancel, name="cancel"),
    path("<int:pk>/cairkan/", views.disburse, name="disburse"),
    path("<int:pk>/bayar/", views.repay, name="repay"),
    path("<int:pk>/restrukturisasi/", views.restructure, name="restructure"),
    path("<int:pk>/hapus-buku/", views.write_off, name="write_off"),
    path("<int:pk>/pemulihan/", views.recover, name="recover"),
    path("<int:pk>/bayar/<int:rid>/batal/", views.reverse_repayment, name="reverse_repayment"),
    path("<int:pk>/bayar/<int:rid>/kuitansi.pdf", views.receipt_pdf, name="receipt"),
    path("<int:pk>/perjanjian.pdf", views.agreement_pdf, name="agreement"),
    path("<int:pk>/jadwal.pdf", views.schedule_pdf, name="schedule_pdf"),
    path("<int:pk>/kartu.pdf", views.loan_card_pdf, name="card"),
]
