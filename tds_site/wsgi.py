from django.core.wsgi import get_wsgi_application

from tds_site.startup import application_or_exit

application = application_or_exit(get_wsgi_application)
