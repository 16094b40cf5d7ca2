from django.urls import path

from . import views

urlpatterns = [
    path("", views.member_list, name="home"),
    path("baru/", views.member_new, name="new"),
    path("impor/", views.import_page, name="import"),
    path("impor/tugas/<int:pk>/", views.import_job, name="import_job"),
    path("impor/templat/", views.import_template, name="import_template"),
    path("kartu/", views.member_cards, name="cards"),
    path("penyelesaian/<int:pk>/", views.settlement, name="settlement"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/ubah/", views.member_edit, name="edit"),
    path("<int:pk>/foto/", views.member_photo, name="photo"),
    path("<int:pk>/kartu.pdf", views.member_card, name="card"),
    path("<int:pk>/keluar/", views.member_exit, name="exit"),
]
