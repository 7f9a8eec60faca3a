from django.urls import path

from api.system import resources, views

health_urlpatterns = [
    path("", views.HealthView.as_view(), name="health"),
    path("live/", views.LiveView.as_view(), name="health-live"),
    path("ready/", views.ReadyView.as_view(), name="health-ready"),
    path("detailed/", views.DetailedHealthView.as_view(), name="health-detailed"),
]

# (prefix, viewset, basename) registered on the v1 router by api/urls.py
v1_routes = [
    ("activity-logs", resources.ActivityLogViewSet, "activity-log"),
    ("personal-notes", resources.PersonalNoteViewSet, "personal-note"),
    ("user-reports", resources.UserReportViewSet, "user-report"),
    ("release-notes", resources.ReleaseNoteViewSet, "release-note"),
    ("smb-configs", resources.SMBConfigurationViewSet, "smb-config"),
]
