from django.urls import path

from api.accounts.auth import views

urlpatterns = [
    path("login/local/", views.LocalLoginView.as_view(), name="auth-login-local"),
    path("login/external/", views.ExternalLoginView.as_view(), name="auth-login-external"),
    path("token/refresh/", views.RotatingTokenRefreshView.as_view(), name="auth-token-refresh"),
    path("token/verify/", views.TokenVerifyView.as_view(), name="auth-token-verify"),
    path("logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("me/", views.MeView.as_view(), name="auth-me"),
]
