# the partner's webhook and a story it received, for every test of this folder
from .test_notices import delivered, hook_server  # noqa: F401
