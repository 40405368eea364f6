import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import every view now, as each worker starts, rather than in the first request it serves (half a
# second on this machine), so that the first visitor, or the first 503 while the database is down, is
# answered as fast as the rest.
get_resolver().url_patterns  # noqa: B018 (the attribute loads the URLconf)

# Python's garbage collector, tuned for serving (docs/performance.md, "Mentor matching"). A page that
# holds a few thousand rows while it works promotes them to the oldest generation whenever a young
# collection runs meanwhile, and every few such requests a full collection scans the whole process
# (Django, the URLconf, the templates): 40-80 ms that fall on whichever request is running. Freezing what
# is loaded now takes it out of those scans for good (under `gunicorn --preload` it is done once, before the
# workers fork, and their memory stays shared), and collecting the youngest generation every 5,000
# allocations rather than 700 lets a request's short-lived rows die before any collection sees them.
# Reference cycles are still collected; only less often.
SERVING_GC_THRESHOLD = (5000, 10, 10)


def tune_collector() -> None:
    gc.freeze()
    gc.set_threshold(*SERVING_GC_THRESHOLD)


tune_collector()
