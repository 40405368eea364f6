from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/done/", views.signup_done, name="signup_done"),
    path("verify/resend/", views.resend_verification, name="resend_verification"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.logout_view, name="logout"),
    path("session/keep-alive/", views.keep_alive, name="keep_alive"),
    path("", views.account, name="account"),
    path("password/", views.password_change, name="password_change"),
    path("mfa/", views.mfa_setup, name="mfa_setup"),
    path("mfa/recovery-codes/", views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("mfa/off/", views.mfa_disable, name="mfa_disable"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/done/", views.password_reset_done, name="password_reset_done"),
    path("password/reset/complete/", views.password_reset_complete, name="password_reset_complete"),
    path("password/reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
]
