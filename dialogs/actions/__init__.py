from dialogs.actions import intake  # noqa: F401  (registers the actions with rasa-sdk)
