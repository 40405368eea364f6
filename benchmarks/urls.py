from django.urls import path

from benchmarks import views

app_name = "benchmarks"
urlpatterns = [
    path("", views.home, name="home"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<slug:slug>/", views.programme_detail, name="programme"),
    path("benchmarks/<slug:slug>/", views.benchmark_detail, name="benchmark"),
    path("benchmarks/<slug:slug>/print/", views.benchmark_print, name="benchmark_print"),
    path("benchmarks/<slug:slug>/pdf/", views.benchmark_pdf, name="benchmark_pdf"),
    path("benchmarks/<slug:slug>/versions/<int:number>/", views.benchmark_detail, name="benchmark_version"),
    path("benchmarks/<slug:slug>/factors/<slug:factor>/", views.key_factor_detail, name="key_factor"),
    path(
        "benchmarks/<slug:slug>/versions/<int:number>/factors/<slug:factor>/",
        views.key_factor_detail,
        name="key_factor_version",
    ),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("charter/", views.charter, name="charter"),
    path("accessibility/", views.accessibility, name="accessibility"),
]
