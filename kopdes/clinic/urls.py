from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("pasien/", views.patient_list, name="patient_list"),
    path("pasien/baru/", views.patient_new, name="patient_new"),
    path("pasien/<int:pk>/", views.patient_detail, name="patient_detail"),
    path("pasien/<int:pk>/ubah/", views.patient_edit, name="patient_edit"),
    path("kunjungan/", views.visit_list, name="visit_list"),
    path("kunjungan/baru/", views.visit_new, name="visit_new"),
    path("kunjungan/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("kunjungan/<int:pk>/ringkasan/", views.visit_summary, name="visit_summary"),
    path("kunjungan/<int:pk>/kwitansi/", views.visit_receipt, name="visit_receipt"),
    path("rujukan/<int:pk>/pdf/", views.referral_pdf, name="referral_pdf"),
    path("icd10/", views.icd_search, name="icd_search"),
    path("laporan/", views.reports, name="reports"),
    path("tarif/", views.tariffs, name="tariffs"),
    path("rekam-medis-saya/", views.my_records, name="my_records"),
]
