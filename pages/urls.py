from django.urls import path

from pages.views import library

app_name = "pages"
urlpatterns = [
    path("", library.home, name="home"),
    path("benchmarks/<slug:slug>/", library.benchmark_detail, name="benchmark"),
    path("benchmarks/<slug:slug>/print/", library.benchmark_print, name="benchmark_print"),
    path("benchmarks/<slug:slug>/pdf/", library.benchmark_pdf, name="benchmark_pdf"),
    path("benchmarks/<slug:slug>/versions/<int:number>/", library.benchmark_detail, name="benchmark_version"),
    path("benchmarks/<slug:slug>/factors/<slug:factor>/", library.key_factor_detail, name="key_factor"),
    path(
        "benchmarks/<slug:slug>/versions/<int:number>/factors/<slug:factor>/",
        library.key_factor_detail,
        name="key_factor_version",
    ),
]
