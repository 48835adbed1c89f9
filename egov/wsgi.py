import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
application = get_wsgi_application()

# Servers run no deploy checks: refuse here to serve with a missing or published
# secret or the demo's simulators (gunicorn and runserver both load this module).
from egov.core.checks import refuse_unsafe_start  # noqa: E402

refuse_unsafe_start()
