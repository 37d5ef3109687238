"""What a turn learns about the stores, and how failures are described."""

from __future__ import annotations

import asyncio

from channels.stores import (
    TurnStores,
    begin_turn,
    current_turn,
    describe_error,
    is_lock_store_error,
)


class OperationalError(Exception):
    """Stands in for SQLAlchemy's: the driver's error in `orig`, SQL in the text."""

    def __init__(self, orig: Exception) -> None:
        super().__init__(
            f"({type(orig).__name__}) {orig}\n[SQL: INSERT INTO events ...]\n"
            "[parameters: {'data': '{\"text\": \"jag bor på Storgatan 5\"}'}]"
        )
        self.orig = orig


class DriverError(Exception):
    pass


def test_sql_errors_are_described_by_the_driver_without_sql_or_parameters() -> None:
    err = OperationalError(
        DriverError(
            'connection to server at "127.0.0.1", port 5432 failed: Connection refused\n'
            "\tIs the server running on that host?"
        )
    )
    text = describe_error(err)
    assert text == (
        'DriverError: connection to server at "127.0.0.1", port 5432 failed: '
        "Connection refused"
    )
    assert "Storgatan" not in text and "SQL" not in text


def test_an_error_without_text_is_named_by_its_class() -> None:
    assert describe_error(DriverError()) == "DriverError"


def test_each_turn_has_its_own_record() -> None:
    async def turn(fail: bool) -> TurnStores:
        record = begin_turn()
        await asyncio.sleep(0)
        if fail:
            current = current_turn()
            assert current is not None
            current.tracker_store_error(DriverError("server closed the connection"))
        await asyncio.sleep(0)
        assert current_turn() is record
        return record

    async def both() -> list[TurnStores]:
        return list(await asyncio.gather(turn(True), turn(False)))

    failed, fine = asyncio.run(both())
    assert failed.tracker_store_failed
    assert failed.tracker_store_errors == ["DriverError: server closed the connection"]
    assert not fine.tracker_store_failed


def test_outside_a_turn_there_is_no_record() -> None:
    assert asyncio.run(_current()) is None


async def _current() -> TurnStores | None:
    return current_turn()


def _make(name: str, module: str) -> type[Exception]:
    cls = type(name, (Exception,), {})
    cls.__module__ = module
    return cls


def test_lock_store_errors_are_recognised_through_the_chain() -> None:
    lock_error = _make("LockError", "rasa.core.lock_store")
    redis_error = _make("ConnectionError", "redis.exceptions")
    assert is_lock_store_error(lock_error("Error while acquiring lock."))
    assert is_lock_store_error(redis_error("Error 111 connecting"))
    try:
        try:
            raise redis_error("Error 111 connecting")
        except Exception as inner:
            raise RuntimeError("cleanup failed") from inner
    except RuntimeError as outer:
        assert is_lock_store_error(outer)
    assert not is_lock_store_error(ValueError("something else"))
    assert not is_lock_store_error(_make("LockError", "somewhere.else")("x"))
