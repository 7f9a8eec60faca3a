from api.notifications import views

# (prefix, viewset, basename) registered on the v1 router by api/urls.py
v1_routes = [
    ("notifications", views.NotificationViewSet, "notification"),
]
