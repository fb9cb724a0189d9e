"""The coordinator console: a server-rendered blueprint under /console/.

Each surface is a module of views on the one blueprint; the views call services
in `handoff/` and write the audit log, they do not query inline.
"""
from bot.console.blueprint import bp
from bot.console import auth  # noqa: F401  (registers its views)
from bot.console import admin  # noqa: F401  (users and the audit log)
from bot.console import queue  # noqa: F401  (the queue and its live updates)
from bot.console import case  # noqa: F401  (the case page, record downloads, estimate adjustments)
from bot.console import dashboard  # noqa: F401  (the dashboard, its charts and CSV)

__all__ = ["bp"]
