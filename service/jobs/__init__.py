"""Processing outside the request: intake of uploads, the job worker, the runners.

Owns turning an accepted upload into an extraction version: ``intake`` (checks, storage,
the document and job rows), ``worker.run_job`` (one job: read, extract, store) and
``runner`` (the embedded bounded thread pool; the ``JobRunner`` seam), and the scale-out
engine: ``celery_app`` (Celery delivers job ids when ``JIXIAO_QUEUE__BROKER_URL`` is set) and
``reconcile`` (re-sends what the broker lost). Depends on ingest, extract and store; must
not import the API or the UI.
"""
