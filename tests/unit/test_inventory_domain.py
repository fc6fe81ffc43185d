"""Stock arithmetic: moving average cost, exact decimals, signs by movement type."""
from decimal import Decimal as D

import pytest

from shared.errors import ValidationFailed
from shared.inventory_domain import LevelImage, StockLevel
from shared.logic.stock_movements import signed_quantity


def level(on_hand="0", value="0") -> StockLevel:
    return StockLevel(1, 1, D(on_hand), D("0"), D(value), 1)


def test_receipts_average_their_costs_and_issues_take_the_average():
    after = level().moved(D("10"), D("1.00")).moved(D("30"), D("2.00"))
    assert (after.quantity_on_hand, after.value, after.average_cost) == (D("40"), D("70.000000"), D("1.750000"))
    issued = after.moved(D("-24"), None)
    assert (issued.quantity_on_hand, issued.value, issued.average_cost) == (D("16"), D("28.000000"), D("1.750000"))
    assert issued.moved(D("-16"), None).value == 0  # nothing left, no cost left (no rounding dust)


def test_an_inflow_without_a_cost_comes_in_at_the_average():
    assert level("4", "10").moved(D("4"), None).average_cost == D("2.5")


def test_decimals_stay_exact():
    after = level().moved(D("0.1"), D("0.10")).moved(D("0.2"), D("0.10"))
    assert after.quantity_on_hand == D("0.3") and after.value == D("0.03")


@pytest.mark.parametrize("kind, given, stored", [("receipt", "5", "5"), ("return", "1.5", "1.5"),
                                                  ("issue", "2", "-2"), ("issue", "-2", "-2"),
                                                  ("waste", "0.001", "-0.001"), ("adjustment", "-3", "-3"),
                                                  ("adjustment", "3", "3")])
def test_movement_signs(kind, given, stored):
    assert signed_quantity(kind, D(given)) == D(stored)


@pytest.mark.parametrize("kind, given", [("receipt", "-1"), ("return", "-1"), ("issue", "0"), ("adjustment", "0")])
def test_wrong_signs_and_zero_are_refused(kind, given):
    with pytest.raises(ValidationFailed):
        signed_quantity(kind, D(given))


def test_a_level_is_low_below_its_reorder_point_only():
    assert LevelImage(level("4"), D("5")).is_low
    assert not LevelImage(level("5"), D("5")).is_low
    assert not LevelImage(level("0"), None).is_low
