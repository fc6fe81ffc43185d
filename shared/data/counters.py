"""Integer ids: one atomic counter per kind."""
from shared.models.registry import CounterModel


def reserve_ids(kind: str, count: int = 1) -> range:
    """Reserve ``count`` consecutive ids with one UpdateItem (bulk writers take a block)."""
    if count < 1:
        raise ValueError("count must be positive")
    counter = CounterModel(kind)
    counter.update(actions=[CounterModel.value.add(count)])  # upsert; returns the new value
    end = int(counter.value)
    return range(end - count + 1, end + 1)


def next_id(kind: str) -> int:
    return reserve_ids(kind)[0]


def value_of(name: str) -> int | None:
    """A counter's value (a consistent read), or None when it was never written."""
    try:
        return int(CounterModel.get(name, consistent_read=True).value)
    except CounterModel.DoesNotExist:
        return None


def raise_to(name: str, value: int) -> None:
    """Set a counter to ``value`` (one UpdateItem, creating it if need be): for flags that only ever take one value."""
    CounterModel(name).update(actions=[CounterModel.value.set(value)])
