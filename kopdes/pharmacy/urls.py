from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("obat/", views.drug_list, name="drug_list"),
    path("obat/baru/", views.drug_form, name="drug_new"),
    path("obat/<int:pk>/", views.drug_detail, name="drug_detail"),
    path("obat/<int:pk>/ubah/", views.drug_form, name="drug_edit"),
    path("obat/<int:pk>/batch/<int:lot_id>/", views.lot_detail, name="lot_detail"),
    path("terima/", views.receive, name="receive"),
    path("kedaluwarsa/", views.expiry, name="expiry"),
    path("resep/", views.prescription_list, name="prescription_list"),
    path("resep/kertas/", views.paper_prescription, name="paper_prescription"),
    path("resep/<int:pk>/", views.prescription_detail, name="prescription_detail"),
    path("jual/", views.sale, name="sale"),
    path("penyerahan/<int:pk>/", views.dispensing_detail, name="dispensing_detail"),
    path("penyerahan/<int:pk>/etiket/<int:line_id>/", views.label, name="label"),
    path("penyerahan/<int:pk>/struk/", views.receipt, name="receipt"),
    path("laporan/", views.reports, name="reports"),
    path("laporan/obat-keras/", views.keras_register, name="keras_register"),
]
