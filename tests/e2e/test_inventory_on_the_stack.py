"""Transfers that never oversell, over HTTP against the stack as `make run` starts it: several
function containers answer at once, and the emulated DynamoDB applies each request atomically."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.e2e
BASE = "/api/v1/inventory"


def test_twenty_parallel_transfers_of_one_unit_out_of_five(stack):
    admin = stack.session()
    assert admin.put(stack.url("/api/v1/settings/modules"), json={"inventory": True}).status_code == 200
    item = admin.post(stack.url(f"{BASE}/items"), json={"sku": "E2E-1", "name": "Crate"}).json()["item"]
    a, b = (admin.post(stack.url(f"{BASE}/warehouses"), json={"code": code, "name": code}).json()["warehouse"]
            for code in ("E2E-A", "E2E-B"))
    receipt = admin.post(stack.url(f"{BASE}/movements"), json={
        "movement_type": "receipt", "stock_item_id": item["id"], "warehouse_id": a["id"], "quantity": 5,
        "unit_cost": 2})
    assert receipt.status_code == 201, receipt.text
    body = {"stock_item_id": item["id"], "from_warehouse_id": a["id"], "to_warehouse_id": b["id"], "quantity": 1}

    def transfer(_):
        session = stack.session()  # one connection per client, as separate clients have
        return session.post(stack.url(f"{BASE}/transfers"), json=body)

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(transfer, range(20)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses.count(201) == 5 and statuses.count(409) == 15, [r.text[:200] for r in answers]
    assert {r.json()["error_code"] for r in answers if r.status_code == 409} == {"insufficient_stock"}
    levels = admin.get(stack.url(f"{BASE}/stock-levels"), params={"stock_item_id": item["id"]}).json()
    assert {lv["warehouse_id"]: lv["quantity_on_hand"] for lv in levels["stock_levels"]} == {a["id"]: 0, b["id"]: 5}
    history = admin.get(stack.url(f"{BASE}/reports/movement-history"),
                        params={"stock_item_id": item["id"], "per_page": 100}).json()["movements"]
    assert len(history) == 1 + 2 * 5
    assert sum(m["quantity"] for m in history if m["warehouse_id"] == a["id"]) == 0
    assert sum(m["quantity"] for m in history if m["warehouse_id"] == b["id"]) == 5
    transfers = admin.get(stack.url(f"{BASE}/transfers")).json()
    assert transfers["pagination"]["total"] == 5
    assert admin.get(stack.url(f"{BASE}/reports/valuation")).json()["total_value"] == 10.0  # 5 at 2.00, moved
