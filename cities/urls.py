from django.urls import path

from cities import views

app_name = "cities"
urlpatterns = [
    path("", views.city_list, name="list"),
    path("<slug:slug>/", views.city_detail, name="city"),
]
