"""WSGI entry point: ``gunicorn newswire.wsgi`` (``newswire serve`` does this for you)."""

import logging
import os

from django.core.wsgi import get_wsgi_application

from .engine.walks import warn_if_slow

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newswire.settings")
application = get_wsgi_application()
# once at start, in every web worker: a server without the compiled walk says so
warn_if_slow(logging.getLogger("newswire"))
