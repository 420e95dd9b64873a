"""What the model announces to whoever keeps copies of public output (the site's caches and search index).

Declared here, beside the model, so that the stage that sends an event and the face that listens to it
need not import each other.
"""

import django.dispatch

articles_withdrawn = django.dispatch.Signal()  # sent with article_ids=[...] when articles are taken down
