from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("benchmarks.urls")),
    path("practices/", include("practices.urls")),
    path("cities/", include("cities.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "lib.errors.server_error"
