import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uprwatch.settings")
application = get_wsgi_application()

from uprwatch.search import postings  # noqa: E402  (after Django's setup)

postings.build_with_catalog()  # a server answers many searches: rank them in memory (see postings)

if settings.PRODUCTION:  # UPRWATCH_PRODUCTION, set by `uprwatch serve --production` (gunicorn workers)
    from uprwatch.web.warmup import start_warm_up

    start_warm_up()
