from django.contrib import admin
from django.urls import include, path

from vistka.api.api import api
from vistka.core.dashboard import dashboard_view

urlpatterns = [
    path("admin/dashboard/", dashboard_view, name="vistka_dashboard"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("vistka.site.urls")),
]
