"""Message type -> the step that runs it, and the settler that ends its job when the
queue gives up on it (the dead-letter queue's worker). Steps and settlers register
with ``@handles``/``@settles`` beside their logic; a worker imports the logic of its
queue and looks messages up here."""
from __future__ import annotations

from typing import Callable, TypeVar

from shared.jobs.messages import Message

M = TypeVar("M", bound=Message)
HANDLERS: dict[type[Message], Callable[[Message], None]] = {}
SETTLERS: dict[type[Message], Callable[[Message], None]] = {}


def _register(table: dict, message_type: type[M]):
    def register(fn: Callable[[M], None]) -> Callable[[M], None]:
        if message_type in table:
            raise TypeError(f"{message_type.__name__} has a {fn.__name__} already: {table[message_type]}")
        table[message_type] = fn
        return fn

    return register


def handles(message_type: type[M]):
    """Register the step that runs ``message_type``; raising makes SQS deliver it again."""
    return _register(HANDLERS, message_type)


def settles(message_type: type[M]):
    """Register what ends the job of a ``message_type`` the queue gave up on."""
    return _register(SETTLERS, message_type)


def handler_of(message_type: type[Message]) -> Callable[[Message], None]:
    return HANDLERS[message_type]


def settler_of(message_type: type[Message]) -> Callable[[Message], None]:
    return SETTLERS[message_type]


def dispatch(message: Message) -> None:
    HANDLERS[type(message)](message)


def settle(message: Message) -> None:
    SETTLERS[type(message)](message)
