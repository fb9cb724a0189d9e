"""Benchmarks: webhook acknowledgement (latency p50/p99, throughput at a fixed rate)
and end to end (signed webhook in -> outbound Twilio request issued) with the real
Rasa server. Prints figures; asserts nothing. Run: `make bench`."""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from twilio.request_validator import RequestValidator
from waitress.server import create_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import migrate  # noqa: E402
from bot.app import create_app  # noqa: E402
from store.config import load_settings  # noqa: E402
from bot.dialogue import RasaClient  # noqa: E402
from bot.rasa_runtime import DialogueServers  # noqa: E402
from bot.senders import sender_factory  # noqa: E402
from bot.worker import Worker  # noqa: E402
from tests.channels.channel_fakes import RecordingTwilioHttpClient  # noqa: E402  (Twilio's HTTP edge)

TOKEN = "bench-token"
PATH = "/webhooks/twilio/whatsapp"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def make_settings(workdir: Path, port: int):  # type: ignore[no-untyped-def]
    settings = load_settings(overrides={"data_dir": str(workdir), "database_url": None,
                                        "server": {"public_base_url": f"http://127.0.0.1:{port}"}})
    settings["secrets"].update({"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": TOKEN,
                                "TWILIO_WHATSAPP_FROM": "+14155238886"})
    migrate.upgrade(settings.database_url)
    return settings


def serve(app, port: int):  # type: ignore[no-untyped-def]
    server = create_server(app, host="127.0.0.1", port=port, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    return server


def signed_post(session: requests.Session, port: int, sid: str, sender: str, body: str) -> float:
    form = {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": f"whatsapp:{sender}",
            "To": "whatsapp:+14155238886", "Body": body, "NumMedia": "0", "ProfileName": "Bench"}
    url = f"http://127.0.0.1:{port}{PATH}"
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    started = time.perf_counter()
    resp = session.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)
    elapsed = time.perf_counter() - started
    resp.raise_for_status()
    return elapsed


def bench_ack(rate: float, seconds: float) -> None:
    """Gateway alone (store + enqueue on huey/SQLite, nothing consumes): requests at a fixed rate."""
    with tempfile.TemporaryDirectory() as tmp:
        port = 18700
        settings = make_settings(Path(tmp), port)
        worker = Worker(settings)
        server = serve(create_app(settings, enqueue=worker.enqueue), port)
        total = int(rate * seconds)
        latencies: list[float] = []
        lock = threading.Lock()
        local = threading.local()

        def one(i: int) -> None:
            if not hasattr(local, "s"):
                local.s = requests.Session()
            value = signed_post(local.s, port, f"SM{i:032d}", f"+2547{i % 1000:08d}", f"message {i}")
            with lock:
                latencies.append(value)

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=32) as pool:
            for i in range(total):
                target = started + i / rate
                delay = target - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(one, i)
        duration = time.perf_counter() - started
        server.close()
        print(f"webhook ack at {rate:.0f} req/s for {seconds:.0f} s: {len(latencies)}/{total} ok, "
              f"p50 {percentile(latencies, 50) * 1000:.1f} ms, p99 {percentile(latencies, 99) * 1000:.1f} ms, "
              f"throughput {len(latencies) / duration:.1f} req/s")


def action_server_memory(servers: DialogueServers) -> str:
    """The action server's resident memory now and at its peak (Linux /proc), after the turns."""
    if not servers.processes:
        return "action server memory: not measured (an action server was already running)"
    status = Path(f"/proc/{servers.processes[0].pid}/status").read_text().splitlines()
    fields = dict(line.split(":", 1) for line in status if line.startswith(("VmRSS", "VmHWM")))
    return (f"action server memory after the turns: RSS {int(fields['VmRSS'].split()[0]) / 1024:.0f} MB, "
            f"peak {int(fields['VmHWM'].split()[0]) / 1024:.0f} MB")


def bench_end_to_end(samples: int) -> None:
    """Signed webhook in -> Twilio request out, through the worker and the real Rasa model."""
    with tempfile.TemporaryDirectory() as tmp:
        port = 18701
        settings = make_settings(Path(tmp), port)
        servers = DialogueServers(load_settings()).start()
        http = RecordingTwilioHttpClient()
        worker = Worker(settings, dialogue=RasaClient(settings.get_path("rasa.url")),
                        sender_for=sender_factory(settings, http))
        consumer = worker.consumer(workers=2)
        consumer.start()
        server = serve(create_app(settings, enqueue=worker.enqueue), port)
        session = requests.Session()
        latencies: list[float] = []
        try:
            for i in range(samples):
                sender = f"+2557{i:08d}"
                before = len(http.requests)
                started = time.perf_counter()
                signed_post(session, port, f"SMe2e{i:029d}", sender, "Hello, my father has prostate cancer")
                while not any(r.data.get("To") == f"whatsapp:{sender}" for r in http.requests[before:]):
                    if time.perf_counter() - started > 60:
                        raise SystemExit("no outbound request within 60 s")
                    time.sleep(0.002)
                latencies.append(time.perf_counter() - started)
            memory = action_server_memory(servers)
        finally:
            server.close()
            consumer.stop(graceful=False)
            servers.stop()
        print(memory)
        print(f"end to end over {samples} conversations (webhook -> Rasa -> Twilio request): "
              f"p50 {percentile(latencies, 50) * 1000:.0f} ms, p95 {percentile(latencies, 95) * 1000:.0f} ms, "
              f"max {max(latencies) * 1000:.0f} ms, mean {statistics.mean(latencies) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--skip-e2e", action="store_true")
    args = parser.parse_args()
    bench_ack(args.rate, args.seconds)
    if not args.skip_e2e:
        bench_end_to_end(args.samples)


if __name__ == "__main__":
    main()
