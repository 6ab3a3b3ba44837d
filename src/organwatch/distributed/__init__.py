"""Batch stages spread over a Dask cluster: text reading and extraction mapped over partitions of
captures on workers, results written through the store by this process, the one writer.

>>> # add_on_cluster(case, ["/data/crawl"], meta, "local:4")
"""

from organwatch.distributed.stages import ClusterError, add_on_cluster, process_on_cluster

__all__ = ["ClusterError", "add_on_cluster", "process_on_cluster"]
