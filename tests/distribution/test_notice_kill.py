"""`kill -9` of `newswire worker` while a partner's webhook is answering, then a new worker:
each notice reaches the receiver once, or twice with the same delivery id; none is lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..servers import BIN, newswire, stories_jsonl, throwaway_database

SETUP = """
from django.db import transaction
from newswire.distribution.models import Delivery
from newswire.partners.models import Partner
from newswire.wire.models import Story
story = Story.objects.get()
for n in (1, 2):
    p = Partner.objects.create(name=f"Partner {n}", website=f"https://p{n}.example",
                               contact_email=f"desk@p{n}.example", webhook_url=HOOK)
    Delivery.objects.create(partner=p, story=story, channel="feed")
for n in (1, 2):
    with transaction.atomic():
        story.correct(body=story.body + f"<p>Correction {n}.</p>", note=f"Fix {n}.")
"""

STATUS = """
from newswire.distribution.models import CorrectionNotice
import json
print(json.dumps(sorted((str(n.delivery_id), n.channel, n.status)
                        for n in CorrectionNotice.objects.all())))
"""


class Receiver(BaseHTTPRequestHandler):
    log: list[str] = []
    first = threading.Event()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).log.append(self.headers["X-Newswire-Delivery"])
        if len(type(self).log) == 1:
            type(self).first.set()
            time.sleep(4)  # the worker is killed while this one is answering
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_kill_9_mid_delivery_then_a_new_worker(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{server.server_port}/hook"
    try:
        with throwaway_database(tmp_path) as env:
            env = {**env, "NEWSWIRE_FETCH_ALLOW": "127.0.0.1/32", "NEWSWIRE_TASK_TIMEOUT": "3",
                   "NEWSWIRE_HOUSEKEEPING": "1"}  # fmt: skip
            assert (
                newswire(env, "import", str(stories_jsonl(tmp_path / "s.jsonl", 1))).returncode == 0
            )
            made = newswire(env, "manage", "shell", "-c", f"HOOK = {hook!r}\n" + SETUP)
            assert made.returncode == 0, made.stderr
            worker = subprocess.Popen([str(BIN / "newswire"), "worker", "--interval", "0.2"],
                                      env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)  # fmt: skip
            assert Receiver.first.wait(60), "no webhook arrived"
            os.kill(worker.pid, signal.SIGKILL)  # while the receiver is answering
            worker.wait()
            time.sleep(3.5)  # past NEWSWIRE_TASK_TIMEOUT: the claimed task is abandoned
            done = newswire(env, "worker", "--batch", timeout=300)
            assert done.returncode == 0, done.stderr[-2000:]
            status = newswire(env, "manage", "shell", "-c", STATUS)
            notices = json.loads(status.stdout.strip().splitlines()[-1])
    finally:
        server.shutdown()
        server.server_close()
    webhooks = {d for d, channel, _ in notices if channel == "webhook"}
    assert len(notices) == 8 and len(webhooks) == 4  # 2 partners x 2 corrections x 2 channels
    assert {s for _, _, s in notices} == {"sent"}, notices
    arrived = Counter(Receiver.log)
    assert set(arrived) == webhooks, (arrived, webhooks)  # every notice arrived
    assert all(n <= 2 for n in arrived.values()), arrived  # a repeat only with the same id
    assert sum(arrived.values()) - len(arrived) <= 1, arrived  # only the one cut off repeats
