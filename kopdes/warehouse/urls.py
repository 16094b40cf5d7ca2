from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("fasilitas/baru/", views.facility_new, name="facility_new"),
    path("fasilitas/<int:pk>/", views.facility_detail, name="facility"),
    path("tarif/", views.tariffs, name="tariffs"),
    path("titipan/", views.lots, name="lots"),
    path("titipan/baru/", views.intake, name="intake"),
    path("titipan/<int:pk>/", views.lot_detail, name="lot"),
    path("resi/<int:pk>/pdf/", views.receipt_pdf, name="receipt_pdf"),
    path("suhu/", views.cold, name="cold"),
    path("suhu/<int:zone_id>/data/", views.room_data, name="room_data"),
    path("penyimpangan/<int:pk>/", views.excursion_detail, name="excursion"),
    path("sensor/", views.devices, name="devices"),
    path("laporan/", views.report, name="report"),
    path("laporan/excel/", views.report_xlsx, name="report_xlsx"),
    path("laporan/pdf/", views.report_pdf, name="report_pdf"),
]

global_urlpatterns = [
    path("resi/<str:code>/", views.verify, name="verify"),
]
