# (prefix, viewset, basename) registered on the v1 router by api/urls.py
v1_routes: list = []

# /api/v2/: the board view the Kanban client needs in one call.
v2_urlpatterns: list = []
