"""manage.py qcluster: django-q2's command, refused with one line without SECRET_KEY (tds_site/broker.py),
beating for the cluster and its workers in the database while it runs (sync.heartbeats), and handing
back at each beat the queue leases of workers that stopped (a cluster killed elsewhere); with
--watch-database, sending the database_unreachable alert while the database does not answer."""
import os
from typing import Any

from django_q.cluster import Cluster
from django_q.management.commands.qcluster import Command as DjangoQCommand

from tds_site.broker import BrokerReader


class BeatingCluster(DjangoQCommand):
    """django-q2's qcluster, which returns once the cluster has started, then beats until it stops."""

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument("--watch-database", action="store_true",
                            help="send the database_unreachable alert when the database stops answering "
                                 "(tds_scheduler's cluster does: one watcher per deployment)")

    def handle(self, *args: Any, **options: Any) -> None:
        from sync.alerts.outage import DatabaseWatch
        from sync.heartbeats import cluster_beat_until_stopped
        from sync.pipeline.workers import leases_of_stopped_workers_return

        if options.get("cluster_name"):  # as django-q2 does: the name is the broker's queue name too
            os.environ["Q_CLUSTER_NAME"] = options["cluster_name"]
        cluster = Cluster()
        cluster.start()
        if options.get("run_once", False):
            cluster.stop()
            return
        cluster_beat_until_stopped(cluster, on_beat=leases_of_stopped_workers_return,
                                   watch=DatabaseWatch() if options.get("watch_database") else None)


class Command(BrokerReader, BeatingCluster):
    pass
