from backend.settings import *  # noqa: F403 - the product's settings, one URL more

ROOT_URLCONF = "tests.faults.urls"
