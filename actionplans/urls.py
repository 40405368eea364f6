from django.urls import path

from actionplans import views

app_name = "actionplans"
PLAN = "assessments/<uuid:assessment_id>/plan/"
ACTION = PLAN + "actions/<uuid:action_id>/"
INDICATOR = PLAN + "indicators/<uuid:indicator_id>/"
urlpatterns = [
    path(PLAN, views.plan_detail, name="plan"),
    path(PLAN + "start/", views.start_plan, name="start"),
    path(PLAN + "visibility/", views.set_plan_visibility, name="visibility"),
    path(PLAN + "public/", views.public_plan, name="public_plan"),
    path(PLAN + "actions/add/", views.add_action, name="add_action"),
    path(PLAN + "timeline/", views.timeline, name="timeline"),
    path(PLAN + "history/", views.history, name="history"),
    path(PLAN + "download.pdf", views.plan_pdf, name="pdf"),
    path(PLAN + "download.xlsx", views.plan_xlsx, name="xlsx"),
    path(ACTION, views.action_detail, name="action"),
    path(ACTION + "autosave/", views.action_autosave, name="autosave"),
    path(ACTION + "move/", views.move_action, name="move"),
    path(ACTION + "delete/", views.delete_action, name="delete"),
    path(ACTION + "restore/", views.restore_action, name="restore"),
    path(ACTION + "indicators/add/", views.add_indicator, name="add_indicator"),
    path(ACTION + "progress/add/", views.add_progress, name="add_progress"),
    path(INDICATOR, views.indicator_detail, name="indicator"),
    path(INDICATOR + "delete/", views.delete_indicator, name="delete_indicator"),
]
