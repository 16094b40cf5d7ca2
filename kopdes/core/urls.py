from django.contrib.auth import views as auth_views
from django.urls import path

from . import health, views
from .forms_auth import LoginForm

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("masuk/", auth_views.LoginView.as_view(template_name="core/login.html", authentication_form=LoginForm,
                                                redirect_authenticated_user=True), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("akun/", views.account, name="account"),
    path("koperasi/", views.koperasi_list, name="koperasi_list"),
    path("koperasi/baru/", views.koperasi_new, name="koperasi_new"),
    path("wilayah/", views.region_browser, name="regions"),
    path("wilayah/<str:code>/", views.region_browser, name="region"),
    path("api-wilayah/opsi/", views.region_options, name="region_options"),
    path("api-wilayah/cari/", views.region_search, name="region_search"),
    path("sehat/", health.healthz, name="health"),
    path("healthz", health.healthz, name="healthz"),
]

tenant_urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("profil/", views.profile, name="profile"),
    path("profil/cadangan/unduh/", views.backup_download, name="backup_download"),
    path("adart/", views.bylaws, name="bylaws"),
    path("pengguna/", views.users, name="users"),
    path("audit/", views.audit_log, name="audit"),
]
