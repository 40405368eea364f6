from django.urls import path

from practices import views

app_name = "practices"
urlpatterns = [
    path("", views.library, name="library"),
    path("<slug:slug>/", views.practice_detail, name="practice"),
]
