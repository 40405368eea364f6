from django.urls import URLPattern, path  # noqa: F401 - the pages' routes follow

app_name = "pages"
urlpatterns: list[URLPattern] = []
