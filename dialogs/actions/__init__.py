"""The custom actions the rasa-sdk action server runs (`--actions dialogs.actions`):
understand (every message), ask (the next question), conclude (recommendation, estimate,
ticket, handoff).

Actions never write to the database: each turn's case, ticket request and
ownership change travel back to the gateway as one `handoff.turn.TurnUpdate`
(the custom payload `{"intake": {...}}`), which stores them in the same
transaction as the replies (DESIGN 7: outbox written with the state change).
"""
from dialogs.actions import ask, conclude, understand  # noqa: F401  (registers the actions with rasa-sdk)
from dialogs.understanding.safety import learned

# Load the red-flag classifier and its encoder with the server, not on a family's first message.
learned.read("warm up")
