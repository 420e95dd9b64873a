import gc
import os
import sys

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vistka.config.settings")
application = get_wsgi_application()

# Import every view now, then take what start-up built (over 100,000 objects: Django, the views and
# their libraries, alive for the life of the process) out of the garbage collector's reach. Each full
# collection otherwise walked all of it: a 50-100 ms stall in a request now and then, which was the
# p99 of every page. Under gunicorn --preload, forked workers also keep sharing those memory pages.
get_resolver().url_patterns  # noqa: B018 -- imports the URLconf and every view module
gc.freeze()

# A page re-render is pure Python for tens of milliseconds; the worker's other threads, serving cache
# hits that need the interpreter for a fraction of a millisecond at a time, each wait up to the switch
# interval (5 ms by default) for every turn they take while it runs. 1 ms keeps them moving.
sys.setswitchinterval(0.001)
