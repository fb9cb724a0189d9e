"""The `intake` command."""
from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from typing import Sequence

from store.config import PROJECT_ROOT, Settings, load_settings


def cmd_migrate(args: argparse.Namespace) -> int:
    from bot import migrate

    settings = load_settings()
    migrate.upgrade(settings.database_url)
    print(f"database at head: {settings.database_url.split('@')[-1]}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from bot.rasa_runtime import ensure_model, ensure_rasa_env

    from dialogs.understanding import trained

    version = load_settings().get_path("rasa.version")
    ensure_rasa_env(version)
    print(ensure_model(version))
    for path in trained.ensure_models():
        print(path)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """The gateway (webhooks, simulator, API) on waitress."""
    from waitress import serve

    from bot.app import create_app

    settings = load_settings()
    serve(create_app(settings), host=settings.get_path("server.host"), port=int(settings.get_path("server.port")), threads=8)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from bot.worker import Worker

    Worker(load_settings()).consumer(workers=args.workers).run()
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    """A console user with a one-time password, printed once."""
    from handoff import users
    from store.db import session_factory
    from store.states import Role

    from bot import migrate

    settings = load_settings()
    migrate.upgrade(settings.database_url)  # a fresh machine: the users table may not exist yet
    with session_factory(settings.database_url)() as session:
        try:
            user, password = users.create_user(session, args.email, Role(args.role), name=args.name)
        except users.UserError as exc:
            print(f"intake user add: {exc}", file=sys.stderr)
            return 2
        session.commit()
    print(f"{user.email} ({user.role.value}) one-time password: {password}")
    print("It must be changed at the first sign-in.")
    return 0


def first_admin(settings: Settings) -> tuple[str, str] | None:
    """With no admin yet, one is created so the console can be opened: (e-mail, one-time password)."""
    from handoff import users
    from store.db import session_factory
    from store.states import Role

    with session_factory(settings.database_url)() as session:
        if users.has_admin(session):
            return None
        email = str(settings.get_path("console.first_admin_email", "admin@intake.localhost"))
        try:
            user, password = users.create_user(session, email, Role.admin, name="Administrator")
        except users.UserError as exc:
            # The address is taken by a coordinator (or is not an address): say what to do, start anyway.
            print(f"intake: no console admin yet, and console.first_admin_email {email!r} cannot be one ({exc}); "
                  "add one with: intake user add EMAIL --role admin", file=sys.stderr)
            return None
        session.commit()
    return user.email, password


def cmd_smtp_sink(args: argparse.Namespace) -> int:
    from bot.mailsink import MailSink

    settings = load_settings()
    sink = MailSink(settings.get_path("smtp.host"), int(settings.get_path("smtp.port")), settings.data_dir / "mail").start()
    print(f"SMTP sink on {settings.get_path('smtp.host')}:{sink.port}, mail saved in {settings.data_dir / 'mail'}", flush=True)
    try:
        signal.pause()
    finally:
        sink.stop()
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from bot.replay import main_replay

    return main_replay(args.file, args.json)


def cmd_erase(args: argparse.Namespace) -> int:
    from store.db import session_factory
    from bot.erase import EraseError, erase_case

    settings = load_settings()
    try:
        erased = erase_case(session_factory(settings.database_url), settings, args.case)
    except EraseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"erased contact {erased.contact_id}: {erased.conversations} conversation(s), {erased.messages} message(s), "
        f"{erased.files} file(s), {erased.dialogue_events} dialogue event(s) from Rasa's tracker store"
    )
    return 0


def cmd_estimate(args: argparse.Namespace) -> int:
    from estimates.cli import main as estimates_main

    return estimates_main(["estimate", args.case] + (["--json"] if args.json else []))


def cmd_catalog(args: argparse.Namespace) -> int:
    from estimates.cli import main as estimates_main

    return estimates_main(["catalog", args.action] + ([args.path] if args.path else []))


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _gateway_ready(base: str) -> bool:
    import requests

    try:
        return requests.get(f"{base}/readyz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def cmd_run(args: argparse.Namespace) -> int:
    """Install what is missing, train if needed, migrate, start every process, wait
    until the gateway is ready, and restart any process that exits."""
    from bot import migrate
    from bot.rasa_runtime import (
        action_server_ready, ensure_model, ensure_rasa_env, rasa_ready, rasa_token, say, start_action_server,
        start_rasa_server,
    )
    from dialogs.understanding import trained
    from bot.supervisor import Child, Supervisor

    settings = load_settings()
    version = settings.get_path("rasa.version")
    say("checking the Rasa environment")
    ensure_rasa_env(version)
    say("checking the trained models")
    model = ensure_model(version)
    trained.ensure_models()
    say("migrating the database")
    migrate.upgrade(settings.database_url)
    from estimates import load_catalog

    load_catalog()  # refuse to start on an invalid catalog
    admin = first_admin(settings)
    env = dict(os.environ)
    if not env.get("API_TOKEN"):
        env["API_TOKEN"] = secrets.token_urlsafe(24)
        say(f"API_TOKEN was not set; this run uses {env['API_TOKEN']}")
    env["RASA_TOKEN"] = rasa_token(settings)
    os.environ.update({"API_TOKEN": env["API_TOKEN"], "RASA_TOKEN": env["RASA_TOKEN"]})
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    host, port = settings.get_path("server.host"), int(settings.get_path("server.port"))
    base = f"http://{host}:{port}"

    def app_process(name: str, *argv: str) -> Callable[[], subprocess.Popen[bytes]]:
        def start() -> subprocess.Popen[bytes]:
            with open(log_dir / f"{name}.log", "ab") as log:
                return subprocess.Popen([sys.executable, "-m", "bot.cli", *argv], cwd=PROJECT_ROOT, env=env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return start

    children = []
    if settings.get_path("smtp.sink"):
        smtp = (settings.get_path("smtp.host"), int(settings.get_path("smtp.port")))
        children.append(Child("smtp-sink", app_process("smtp-sink", "smtp-sink"), lambda: _port_open(*smtp), 30))
    children += [
        Child("actions", lambda: start_action_server(settings, log_dir / "actions.log"), lambda: action_server_ready(settings), 60),
        Child("rasa", lambda: start_rasa_server(settings, model, log_dir / "rasa.log"), lambda: rasa_ready(settings), 180),
        Child("worker", app_process("worker", "worker")),
        Child("gateway", app_process("gateway", "serve"), lambda: _gateway_ready(base), 60),
    ]
    supervisor = Supervisor(children, say, settings.data_dir / "run")

    def _stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # Ctrl-C, and SIGTERM from a supervisor, stop every process we started.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        supervisor.start_all()
        say("ready (GET /readyz answers 200):")
        if _simulator_on(settings):
            say(f"  simulator  {base}/simulator/")
        say(f"  console    {base}/console/")
        if admin:
            say(f"  first admin {admin[0]}, one-time password {admin[1]} (change it at the first sign-in)")
        say(f"  case API   {base}/api/cases/<id>  (Authorization: Bearer $API_TOKEN)")
        say(f"  WhatsApp   POST {settings.get_path('server.public_base_url')}/webhooks/twilio/whatsapp")
        say(f"  health     {base}/healthz   {base}/readyz")
        say(f"  Rasa       {settings.get_path('rasa.url')} (token in RASA_TOKEN or {settings.data_dir}/secrets)   "
            f"actions 127.0.0.1:{settings.get_path('rasa.action_port')}")
        say("press Ctrl-C to stop; a process that exits is restarted")
        supervisor.run_forever()
    except KeyboardInterrupt:
        say("stopping")
        return 0
    except RuntimeError as exc:
        say(f"could not start: {exc}")
        return 1
    finally:
        supervisor.stop()


def _simulator_on(settings: Settings) -> bool:
    from bot.app import simulator_enabled

    return simulator_enabled(settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="intake", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="install, train, migrate and start everything").set_defaults(func=cmd_run)
    sub.add_parser("migrate", help="upgrade the database to the latest migration").set_defaults(func=cmd_migrate)
    sub.add_parser("train", help="create the Rasa environment and train the model if needed").set_defaults(func=cmd_train)
    sub.add_parser("serve", help="run the gateway (webhooks, simulator, API)").set_defaults(func=cmd_serve)
    worker = sub.add_parser("worker", help="run the background worker")
    worker.add_argument("--workers", type=int, default=4)
    worker.set_defaults(func=cmd_worker)
    sub.add_parser("smtp-sink", help="run the local SMTP sink").set_defaults(func=cmd_smtp_sink)
    user = sub.add_parser("user", help="console users").add_subparsers(dest="user_command", required=True)
    user_add = user.add_parser("add", help="add a console user; prints a one-time password")
    user_add.add_argument("email")
    user_add.add_argument("--role", choices=["coordinator", "admin"], default="coordinator")
    user_add.add_argument("--name")
    user_add.set_defaults(func=cmd_user_add)
    replay = sub.add_parser("replay", help="replay scripted conversations through the real stack")
    replay.add_argument("file")
    replay.add_argument("--json", action="store_true", help="one {id, replies, case} object per line")
    replay.set_defaults(func=cmd_replay)
    erase = sub.add_parser("erase", help="erase a contact's messages, files, cases and dialogue (after confirming a request)")
    erase.add_argument("case", help="case id, e.g. C-000001")
    erase.set_defaults(func=cmd_erase)
    estimate = sub.add_parser("estimate", help="recommendation and estimate for a case JSON file")
    estimate.add_argument("case")
    estimate.add_argument("--json", action="store_true")
    estimate.set_defaults(func=cmd_estimate)
    catalog = sub.add_parser("catalog", help="catalog tools")
    catalog.add_argument("action", choices=["check"])
    catalog.add_argument("path", nargs="?")
    catalog.set_defaults(func=cmd_catalog)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=os.environ.get("INTAKE_LOG_LEVEL", "INFO"), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
