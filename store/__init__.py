"""The storage floor: configuration, the typed models and the database engine and sessions.

Everything above it (handoff, dialogs, bot) stands on it; it imports none of them."""
