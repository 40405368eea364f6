import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import every view now, as each worker starts, rather than in the first request it serves (half a
# second on this machine), so that the first visitor, or the first 503 while the database is down, is
# answered as fast as the rest.
get_resolver().url_patterns  # noqa: B018 (the attribute loads the URLconf)
