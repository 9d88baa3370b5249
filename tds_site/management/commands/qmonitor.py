"""manage.py qmonitor: django-q2's command, refused with one line without SECRET_KEY (tds_site/broker.py)."""
from django_q.management.commands.qmonitor import Command as DjangoQCommand

from tds_site.broker import BrokerReader


class Command(BrokerReader, DjangoQCommand):
    pass
