"""The action server loads the package given with --actions (bot/rasa_runtime.py) and
registers every Action subclass its modules define: each action must be there, once."""
from __future__ import annotations

import inspect

from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.utils import all_subclasses

ACTIONS = {
    "action_validate_slot_mappings": "dialogs.actions.understand",
    "validate_intake_form": "dialogs.actions.ask",
    "action_ask_consent": "dialogs.actions.ask",
    "action_ask_cancer_type": "dialogs.actions.ask",
    "action_ask_treatment_history": "dialogs.actions.ask",
    "action_ask_location": "dialogs.actions.ask",
    "action_ask_requested_service": "dialogs.actions.ask",
    "action_answer_question": "dialogs.actions.ask",
    "action_conclude": "dialogs.actions.conclude",
    "action_handoff": "dialogs.actions.conclude",
    "action_after_intake": "dialogs.actions.conclude",
}


def test_the_action_server_registers_every_action_of_the_package() -> None:
    executor = ActionExecutor()
    executor.register_package("dialogs.actions")
    ours = {name: run for name, run in executor.actions.items() if run.__self__.__module__.startswith("dialogs.")}
    assert {name: run.__self__.__module__ for name, run in ours.items()} == ACTIONS


def test_each_action_name_is_defined_by_one_class() -> None:
    import dialogs.actions  # noqa: F401  (defines the classes)

    classes = [c for c in all_subclasses(Action) if c.__module__.startswith("dialogs.actions")]
    concrete = [c for c in classes if not inspect.isabstract(c)]  # rasa-sdk skips the abstract ones
    names = [c().name() for c in concrete]
    assert sorted(names) == sorted(ACTIONS)


def test_the_domain_lists_the_actions() -> None:
    from tests.dialogs.actions.turns import DOMAIN

    assert set(ACTIONS) - {"action_validate_slot_mappings"} <= set(DOMAIN["actions"])
