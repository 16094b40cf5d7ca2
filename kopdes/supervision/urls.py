from django.urls import path

from . import views

global_urlpatterns = [
    path("pengawasan/", views.home, name="home"),
    path("pengawasan/wilayah/", views.region, name="national"),
    path("pengawasan/wilayah/<str:code>/", views.region, name="region"),
    path("pengawasan/koperasi/", views.coop_list, name="coop_list"),
    path("pengawasan/desa/", views.village_list, name="village_list"),
    path("pengawasan/desa/<str:code>/", views.village, name="village"),
    path("pengawasan/peringatan/", views.warning_list, name="warning_list"),
    path("pengawasan/bukti/<int:pk>/", views.evidence, name="evidence"),
    path("pengawasan/impor/", views.import_formations, name="import"),
    path("pengawasan/parameter/", views.parameters, name="parameters"),
    path("pengawasan/tugas/", views.job_list, name="jobs"),
    path("pengawasan/tugas/<int:pk>/", views.job, name="job"),
    path("pengawasan/tugas/<int:pk>/unduh/", views.job_download, name="job_download"),
]

urlpatterns = [
    path("", views.koperasi, name="koperasi"),
    path("kunjungan/baru/", views.visit_new, name="visit_new"),
    path("kunjungan/<int:pk>/", views.visit, name="visit"),
    path("tata-kelola/", views.governance, name="governance"),
    path("rat/", views.rat, name="rat"),
]
