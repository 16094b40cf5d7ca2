from django.urls import path

from . import views
from .api import api

app_name = "api"

global_urlpatterns = [
    path("api/v1/openapi.json", views.openapi_json, name="openapi"),
    path("api/v1/docs", views.docs, name="docs"),
    path("api/v1/", api.urls),
    path("akun/api/", views.my_tokens, name="my_tokens"),
]

urlpatterns = [
    path("", views.koperasi_tokens, name="tokens"),
]
