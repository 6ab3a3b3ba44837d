"""Batch stages spread over a Dask cluster: text reading and extraction mapped over partitions of
captures, and the resolve stage's blocks over partitions of blocks, on workers; results written through
the store by this process, the one writer.

>>> # add_on_cluster(case, ["/data/crawl"], meta, "local:4")
"""

from organwatch.distributed.resolve import resolve_on_cluster
from organwatch.distributed.stages import ClusterError, add_on_cluster, process_on_cluster

__all__ = ["ClusterError", "add_on_cluster", "process_on_cluster", "resolve_on_cluster"]
