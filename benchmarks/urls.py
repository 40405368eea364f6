from django.urls import path

from benchmarks import views

# The home page and the benchmark and key factor pages show practices too: they are in pages.urls.
app_name = "benchmarks"
urlpatterns = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<slug:slug>/", views.programme_detail, name="programme"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("charter/", views.charter, name="charter"),
    path("accessibility/", views.accessibility, name="accessibility"),
]
