from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("loket/", views.counter, name="counter"),
    path("bukti/<int:pk>/", views.receipt, name="receipt"),
    path("mutasi/", views.transactions, name="transactions"),
    path("tagihan/", views.billing, name="billing"),
    path("tunggakan/", views.arrears_list, name="arrears"),
    path("jasa/", views.jasa, name="jasa"),
    path("pengaturan/", views.settings_page, name="settings"),
    path("anggota/<int:pk>/", views.statement, name="statement"),
    path("anggota/<int:pk>/buku/", views.passbook, name="passbook"),
]
