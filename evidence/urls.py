from django.urls import path

from evidence import views

app_name = "evidence"
urlpatterns = [
    path("workspaces/<uuid:workspace_id>/evidence/", views.library, name="library"),
    path("evidence/<uuid:evidence_id>/", views.item, name="item"),
    path("evidence/<uuid:evidence_id>/file/", views.download, name="file"),
    path("evidence/<uuid:evidence_id>/delete/", views.delete, name="delete"),
    path("evidence/<uuid:evidence_id>/restore/", views.restore, name="restore"),
    path(
        "assessments/<uuid:assessment_id>/factors/<slug:slug>/evidence/", views.factor_evidence, name="factor_evidence"
    ),
    path("assessments/<uuid:assessment_id>/factors/<slug:slug>/evidence/attach/", views.attach, name="attach"),
    path(
        "assessments/<uuid:assessment_id>/factors/<slug:slug>/evidence/new/",
        views.add_and_attach,
        name="add_and_attach",
    ),
    path(
        "assessments/<uuid:assessment_id>/factors/<slug:slug>/evidence/<uuid:link_id>/detach/",
        views.detach,
        name="detach",
    ),
]
