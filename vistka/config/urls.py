from django.contrib import admin
from django.urls import include, path, re_path

from vistka.api import errors
from vistka.api.api import api
from vistka.desk.dashboard import dashboard_view
from vistka.site.staticfiles import favicon

urlpatterns = [
    path("admin/dashboard/", dashboard_view, name="vistka_dashboard"),
    path("admin/", admin.site.urls),
    path("api/", errors.json_method_errors(api.urls)),
    re_path(r"^api/", errors.not_found),  # what no endpoint matched: JSON, not the site's 404 page
    path("favicon.ico", favicon),  # asked for by browsers on every page, the admin's and the API's too
    path("", include("vistka.site.urls")),
]
