"""``newswire worker``: django-tasks' database worker (django_tasks_db), with two changes.

- It takes the next task whose host's turn has come (:func:`newswire.discovery.turns.next_task`):
  page checks queued for ten sites are checked at the speed of the checks, each host still
  asked at most once a second by every worker together, instead of waiting for each host's
  turn in the queue's order. Other tasks are taken in the queue's order, as before.
- ``--batch`` runs what is due, and the page checks waiting for their host's turn (due
  within :data:`BATCH_WAIT` seconds), then exits.

The loop is django_tasks_db's ``Worker.run`` with the choice of the next task changed: the
library takes the first ready task (``get_locked``) and has no hook for choosing another,
so the loop is written here; running, claiming and recording a task are the library's
(``Worker.run_task``, ``DBTaskResult.claim``).
"""

from __future__ import annotations

import logging
import random
import time
from datetime import timedelta

from django.db import close_old_connections
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from .discovery.turns import CHECK_TASK, next_task

logger = logging.getLogger("django_tasks_db")

#: a batch waits for a task coming due this soon (a page waiting for its host's turn)
BATCH_WAIT = 30.0


class TurnWorker(Worker):
    """The database worker, taking the next task whose host's turn has come."""

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id,
                    ",".join(self.queue_names))  # fmt: skip
        if self.startup_delay and self.interval:
            time.sleep(random.random())
        while self.running:
            close_old_connections()
            tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
            if not self.process_all_queues:
                tasks = tasks.filter(queue_name__in=self.queue_names)
            if self.excluded_queue_names:
                tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
            wait: float | None = None
            with exclusive_transaction(tasks.db):
                try:
                    task_result, wait = next_task(tasks)
                    retrieved = True
                    if task_result is not None:
                        task_result.claim(self.worker_id)
                except OperationalError as exc:
                    if not is_locked_database_exception(exc):
                        raise
                    task_result, retrieved = None, False  # locked: try again
            if task_result is not None:
                self.run_task(task_result)
            elif self.batch and retrieved and wait is None:
                wait = self._due_soon()
                if wait is None:
                    logger.info("No more tasks to run for worker_id=%s - exiting gracefully.",
                                self.worker_id)  # fmt: skip
                    return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()
            if self.running and task_result is None:
                # until the first host's turn (or a task's time) comes, at most the interval
                time.sleep(min(self.interval, wait) if wait is not None else self.interval)

    def _due_soon(self) -> float | None:
        """Seconds until the next page check queued to wait for its host's turn comes due
        (within BATCH_WAIT), or None."""
        now = timezone.now()
        tasks = DBTaskResult.objects.filter(
            backend_name=self.backend_name,
            status=TaskResultStatus.READY,
            task_path=CHECK_TASK,  # a page waiting for its host's turn; not a later retry
            # (one that came due since the queue was read counts: it runs at once)
            run_after__lte=now + timedelta(seconds=BATCH_WAIT),
        )
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        first = tasks.order_by("run_after").values_list("run_after", flat=True).first()
        return None if first is None else max(0.0, (first - now).total_seconds())


def run(*, batch: bool, interval: float) -> None:
    """Run the worker (signals handled as django_tasks_db's command handles them)."""
    worker = TurnWorker(
        queue_names=["default"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )
    worker.configure_signals()
    try:
        worker.run()
    finally:
        worker.reset_signals()
