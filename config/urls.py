from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("benchmarks.urls")),
    path("practices/", include("practices.urls")),
    # cities/ (public pages) and workspaces/ (members only) both live in the cities app.
    path("", include("cities.urls")),
    path("", include("assessments.urls")),
    path("", include("evidence.urls")),
    path("", include("actionplans.urls")),
    path("mentoring/", include("mentoring.urls")),
    path("communities/", include("communities.urls")),
    path("", include("pages.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "lib.errors.server_error"
