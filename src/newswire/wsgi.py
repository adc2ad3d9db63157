"""WSGI entry point: ``gunicorn newswire.wsgi`` (``newswire serve`` does this for you)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newswire.settings")
application = get_wsgi_application()
