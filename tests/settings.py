"""Test settings: newswire's own, with data in a throw-away folder and fast password hashing.

``DATABASE_URL`` still applies, so ``.ci/run`` runs the suite on PostgreSQL too.
"""

import os
import tempfile

os.environ.setdefault("NEWSWIRE_DATA", tempfile.mkdtemp(prefix="newswire-test-"))
os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")

from newswire.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SITE_URL = "https://wire.test"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# Close connections after each request: the live server's request threads must not
# leave sessions open on PostgreSQL, or the test database cannot be dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Short-lived cache entries (terms, the feeds' fingerprint) off: tests change rows with
# .update() and expect the next request to see it. tests/wire/test_cache.py turns it on.
NEWSWIRE_CACHE_SECONDS = 0
# Beacon views written at once, so a test can look for them right after the request;
# tests/distribution/test_beacon.py covers the spool.
NEWSWIRE_BEACON_FLUSH_SECONDS = 0
# every view counts in tests of the beacon's mechanics; tests/distribution/test_audience.py
# turns the repeat window on
NEWSWIRE_BEACON_REPEAT_SECONDS = 0
# the fake CMSes' photos live at names that do not resolve (newsroom.example): a test that
# copies photos into the wire's store turns this on (tests/cms/test_real_wordpress.py)
NEWSWIRE_SOURCE_PHOTOS = False
