"""Test settings: the normal ones, read from a test environment (set before they are read)."""

import os
import tempfile

os.environ["VISTKA_DATA_DIR"] = tempfile.mkdtemp(prefix="vistka-test-")
os.environ["VISTKA_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
os.environ["VISTKA_FETCH_ALLOW_HOSTS"] = "127.0.0.1"
os.environ["VISTKA_FETCH_HOST_DELAY"] = "0"  # local test servers need no politeness delay
os.environ.pop("VISTKA_DATABASE_URL", None)

from vistka.config.settings import *  # noqa: E402,F403
