import gc
import os

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
