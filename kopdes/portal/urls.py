from django.urls import path

from . import views

app_name = "portal"

global_urlpatterns = [
    path("portal/", views.home, name="home"),
    path("portal/masuk/", views.login_view, name="login"),
    path("portal/aktivasi/", views.activate_view, name="activate"),
    path("portal/keluar/", views.logout_view, name="logout"),
    path("portal/pilih/", views.choose, name="choose"),
    path("portal/simpanan/", views.savings, name="savings"),
    path("portal/simpanan/rekening.pdf", views.statement_pdf, name="statement"),
    path("portal/iuran/", views.dues, name="dues"),
    path("portal/pinjaman/", views.loans, name="loans"),
    path("portal/pinjaman/<int:loan_id>/", views.loan_detail, name="loan"),
    path("portal/belanja/", views.purchases, name="purchases"),
    path("portal/shu/", views.shu, name="shu"),
    path("portal/shu/<int:year>/slip.pdf", views.shu_slip, name="shu_slip"),
    path("portal/pupuk/", views.fertilizer, name="fertilizer"),
    path("portal/titipan/", views.storage, name="storage"),
    path("portal/pengumuman/", views.announcements, name="news"),
    path("portal/pengumuman/<int:pk>/", views.announcement, name="news_item"),
    path("portal/akun/", views.account, name="account"),
    path("portal/manifest.webmanifest", views.manifest, name="manifest"),
    path("portal/sw.js", views.service_worker, name="sw"),
    path("portal/offline/", views.offline, name="offline"),
]

urlpatterns = [
    path("", views.admin, name="admin"),
    path("anggota/<int:member_id>/kode/", views.issue, name="issue"),
    path("pengumuman/", views.announcements_admin, name="announcements"),
    path("pengumuman/<int:pk>/", views.announcement_edit, name="announcement_edit"),
]
