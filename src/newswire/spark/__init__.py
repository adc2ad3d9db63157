"""The pickup scan on Apache Spark (``newswire spark``; ``spark-submit …/spark/job.py``).

Imports the engine and PySpark, never Django. PySpark is an optional extra:
``pip install 'newswire[spark]'``.
"""

from __future__ import annotations

from .job import InputSummary, JobResult, read_inputs, run_job, scan_input

__all__ = ["InputSummary", "JobResult", "read_inputs", "run_job", "scan_input"]
