# (prefix, viewset, basename) registered on the v1 router by api/urls.py
v1_routes: list = []
