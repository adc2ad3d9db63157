from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "partners"
urlpatterns = [
    path("republish/", views.republish, name="republish"),
    path("republish/apply/", views.apply, name="apply"),
    path("republish/apply/thanks/", views.applied, name="applied"),
    path("republish/verify/<str:token>/", views.verify, name="verify"),
    path("partner/", views.portal, name="portal"),
    path("partner/keys/<int:pk>/revoke/", views.revoke_key, name="revoke_key"),
    path("partner/wordpress/", views.wordpress, name="wordpress"),
    path(
        "partner/login/",
        auth_views.LoginView.as_view(template_name="partners/login.html"),
        name="login",
    ),
    path("partner/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "partner/set-password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="partners/set_password.html",
            success_url=reverse_lazy("partners:login"),
            post_reset_login=False,
        ),
        name="set_password",
    ),
]
