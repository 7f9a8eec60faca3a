"""The Celery application. Workers: `make celery`; scheduler: `make beat`.

Broker and results use Redis databases 1 and 2 (settings.CELERY_*); without a broker
(the embedded default) tasks run eagerly in-process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("backend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
