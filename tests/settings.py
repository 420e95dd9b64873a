"""Test settings: the normal ones, read from a test environment (set before they are read)."""

import os
import tempfile

os.environ["VISTKA_DATA_DIR"] = tempfile.mkdtemp(prefix="vistka-test-")
os.environ["VISTKA_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
os.environ["VISTKA_FETCH_ALLOW_HOSTS"] = "127.0.0.1"
os.environ["VISTKA_FETCH_HOST_DELAY"] = "0"  # local test servers need no politeness delay
os.environ.pop("VISTKA_DATABASE_URL", None)
# Tests look at lists right after saving; the delay lists may lag by has tests of its own (test_site_speed.py).
os.environ["VISTKA_PAGE_LIST_DELAY"] = "0"
# Tests change settings and patch functions in this process, which extraction processes would not see;
# tests/pipeline/test_extract_pool.py runs the pool itself.
os.environ["VISTKA_EXTRACT_PROCESSES"] = "0"

from vistka.config.settings import *  # noqa: E402,F403
