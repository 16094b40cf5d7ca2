from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("kendaraan/", views.vehicles, name="vehicles"),
    path("kendaraan/<int:pk>/", views.vehicle_detail, name="vehicle"),
    path("pengemudi/", views.drivers, name="drivers"),
    path("tarif/", views.tariffs, name="tariffs"),
    path("pengiriman/", views.deliveries, name="deliveries"),
    path("pengiriman/baru/", views.delivery_new, name="delivery_new"),
    path("pengiriman/<int:pk>/", views.delivery_detail, name="delivery"),
    path("pengiriman/<int:pk>/bukti/<int:proof_id>/", views.proof_file, name="proof_file"),
    path("perjalanan/", views.trips, name="trips"),
    path("perjalanan/<int:pk>/", views.trip_detail, name="trip"),
    path("laporan/", views.report, name="report"),
]
