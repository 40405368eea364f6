from django.urls import path

from cities import views

app_name = "cities"
urlpatterns = [
    path("cities/", views.city_list, name="list"),
    path("workspaces/", views.workspace_list, name="workspaces"),
    path("workspaces/request/", views.request_workspace, name="request_workspace"),
    path("workspaces/create/", views.create_workspace, name="create_workspace"),
    path("workspaces/requests/<uuid:request_id>/approve/", views.approve_request, name="approve_request"),
    path("workspaces/requests/<uuid:request_id>/decline/", views.decline_request, name="decline_request"),
    path("workspaces/invitations/<str:token>/", views.invitation, name="invitation"),
    path(
        "workspaces/<uuid:workspace_id>/invitations/<uuid:invitation_id>/revoke/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
    path("workspaces/<uuid:workspace_id>/members/<uuid:member_id>/remove/", views.remove_member, name="remove_member"),
]
