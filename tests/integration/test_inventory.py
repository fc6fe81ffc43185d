"""The inventory module through its handlers against moto: the switch, scopes, catalogue, movements
that never oversell (also under 20 concurrent transfers), and reports against hand-computed figures."""
from __future__ import annotations

import pytest

BASE = "/api/v1/inventory"


@pytest.fixture
def enabled(api, admin_token):
    r = api("PUT", "/api/v1/settings/modules", token=admin_token, body={"inventory": True})
    assert r.status == 200 and r.json() == {"inventory": True}, r
    return admin_token


def _item(api, token, **values):
    body = {"sku": "SKU-1", "name": "Widget", "category": "Parts", "default_cost": 2.5, **values}
    r = api("POST", f"{BASE}/items", token=token, body=body)
    assert r.status == 201, r
    return r.json()["item"]


def _warehouse(api, token, code):
    r = api("POST", f"{BASE}/warehouses", token=token, body={"code": code, "name": f"Warehouse {code}"})
    assert r.status == 201, r
    return r.json()["warehouse"]


def _move(api, token, kind, item, warehouse, quantity, **extra):
    return api("POST", f"{BASE}/movements", token=token, body={
        "movement_type": kind, "stock_item_id": item["id"], "warehouse_id": warehouse["id"], "quantity": quantity,
        **extra})


def test_the_module_is_off_until_an_admin_enables_it(api, admin_token, make_token):
    r = api("GET", f"{BASE}/items", token=admin_token)
    assert r.status == 404 and r.json()["error_code"] == "module_disabled"
    assert "PUT /api/v1/settings/modules" in r.json()["message"]
    assert api("GET", "/api/v1/settings/modules", token=admin_token).json() == {"inventory": False}
    user = make_token(["read:*", "write:*"])
    assert api("PUT", "/api/v1/settings/modules", token=user, body={"inventory": True}).status == 403
    assert api("PUT", "/api/v1/settings/modules", token=admin_token, body={"inventory": "maybe"}).status == 400
    api("PUT", "/api/v1/settings/modules", token=admin_token, body={"inventory": True})
    assert api("GET", f"{BASE}/items", token=admin_token).status == 200
    api("PUT", "/api/v1/settings/modules", token=admin_token, body={"inventory": False})
    assert api("GET", f"{BASE}/transfers", token=admin_token).json()["error_code"] == "module_disabled"


def test_projects_scopes_grant_the_inventory_scopes(api, enabled, make_token):
    reader = make_token(["read:projects"])
    writer = make_token(["read:projects", "write:projects"])
    inventory_reader = make_token(["read:inventory"])
    other = make_token(["read:time_entries"])
    assert api("GET", f"{BASE}/items", token=reader).status == 200
    assert api("GET", f"{BASE}/items", token=inventory_reader).status == 200
    denied = api("GET", f"{BASE}/items", token=other)
    assert denied.status == 403 and denied.json()["required_scope"] == "read:inventory"
    assert api("POST", f"{BASE}/items", token=reader, body={"sku": "A", "name": "A"}).status == 403
    assert api("POST", f"{BASE}/items", token=writer, body={"sku": "A", "name": "A"}).status == 201


def test_items_and_warehouses_are_unique_filtered_and_deactivated_once_used(api, enabled):
    item = _item(api, enabled, sku="BOLT-10", name="Bolt M10", barcode="4006381333931")
    assert item["unit"] == "pcs" and item["currency_code"] == "EUR" and item["default_cost"] == 2.5
    duplicate = api("POST", f"{BASE}/items", token=enabled, body={"sku": "bolt-10", "name": "Again"})
    assert duplicate.status == 409 and duplicate.json()["error_code"] == "duplicate_sku"
    _item(api, enabled, sku="NUT-10", name="Nut M10", category="Nuts")
    assert api("POST", f"{BASE}/items", token=enabled, body={"sku": "X", "name": "X", "default_cost": 1.234}).status \
        == 400  # money has 2 places
    listed = api("GET", f"{BASE}/items", token=enabled, query={"search": "m10", "category": "Parts"}).json()
    assert [i["sku"] for i in listed["items"]] == ["BOLT-10"] and listed["pagination"]["total"] == 1
    assert api("GET", f"{BASE}/items", token=enabled, query={"search": "4006381"}).json()["items"][0]["id"] == \
        item["id"]
    renamed = api("PATCH", f"{BASE}/items/{item['id']}", token=enabled, body={"sku": "BOLT-10A", "reorder_point": 5})
    assert renamed.status == 200 and renamed.json()["item"]["reorder_point"] == 5
    assert api("POST", f"{BASE}/items", token=enabled, body={"sku": "BOLT-10", "name": "Reused"}).status == 201

    warehouse = _warehouse(api, enabled, "MAIN")
    assert api("POST", f"{BASE}/warehouses", token=enabled, body={"code": "main", "name": "x"}).status == 409
    spare = _warehouse(api, enabled, "SPARE")
    assert api("DELETE", f"{BASE}/warehouses/{spare['id']}", token=enabled).json()["outcome"] == "deleted"
    assert api("GET", f"{BASE}/warehouses/{spare['id']}", token=enabled).status == 404
    assert _move(api, enabled, "receipt", renamed.json()["item"], warehouse, 3).status == 201
    gone = api("DELETE", f"{BASE}/items/{item['id']}", token=enabled).json()
    assert gone["outcome"] == "deactivated"  # it has movements: its history stays
    assert api("GET", f"{BASE}/items/{item['id']}", token=enabled).json()["item"]["is_active"] is False
    assert api("GET", f"{BASE}/items", token=enabled, query={"active_only": "true"}).json()["pagination"]["total"] == 2
    refused = _move(api, enabled, "receipt", renamed.json()["item"], warehouse, 1)
    assert refused.status == 409 and refused.json()["error_code"] == "item_inactive"


def test_movements_keep_levels_exact_and_never_below_zero(api, enabled):
    item = _item(api, enabled)
    warehouse = _warehouse(api, enabled, "W1")
    r = _move(api, enabled, "receipt", item, warehouse, "10.5", unit_cost=2)
    assert r.status == 201 and r.json()["stock_level"]["quantity_on_hand"] == 10.5
    assert _move(api, enabled, "receipt", item, warehouse, 0.1, unit_cost=3).json()["movement"]["quantity"] == 0.1
    issued = _move(api, enabled, "issue", item, warehouse, 0.2)
    assert issued.json()["movement"]["quantity"] == -0.2  # an issue takes stock away, whatever the sign given
    assert issued.json()["stock_level"]["quantity_on_hand"] == 10.4  # 10.5 + 0.1 - 0.2, exactly
    short = _move(api, enabled, "waste", item, warehouse, 11)
    assert short.status == 409 and short.json()["error_code"] == "insufficient_stock"
    assert "10.400 available" in short.json()["message"]
    assert _move(api, enabled, "adjustment", item, warehouse, -10.4).json()["stock_level"]["quantity_on_hand"] == 0
    assert _move(api, enabled, "return", item, warehouse, -1).status == 400  # a return adds stock
    assert _move(api, enabled, "issue", item, warehouse, "0.0001").status == 400  # 3 places
    assert _move(api, enabled, "issue", item, warehouse, 0).status == 400
    assert api("POST", f"{BASE}/movements", token=enabled, body={
        "movement_type": "theft", "stock_item_id": item["id"], "warehouse_id": warehouse["id"],
        "quantity": 1}).status == 400
    missing = api("POST", f"{BASE}/movements", token=enabled, body={
        "movement_type": "receipt", "stock_item_id": item["id"], "warehouse_id": 999, "quantity": 1})
    assert missing.status == 404
    availability = api("GET", f"{BASE}/items/{item['id']}/availability", token=enabled).json()
    assert availability["total_on_hand"] == 0 and availability["warehouses"][0]["warehouse_code"] == "W1"


def test_a_transfer_is_one_transaction_with_a_reference(api, enabled, ddb_calls):
    item = _item(api, enabled)
    a, b = _warehouse(api, enabled, "A"), _warehouse(api, enabled, "B")
    _move(api, enabled, "receipt", item, a, 8, unit_cost=4)
    ddb_calls.clear()
    r = api("POST", f"{BASE}/transfers", token=enabled, body={
        "stock_item_id": item["id"], "from_warehouse_id": a["id"], "to_warehouse_id": b["id"], "quantity": 3,
        "notes": "restock B"})
    assert r.status == 201, r
    assert ddb_calls["TransactWriteItems"] == 1  # both movements, both levels, item and warehouses: one write
    body = r.json()
    reference = body["reference_id"]
    assert [m["quantity"] for m in body["transfers"]] == [-3, 3]
    assert {m["reference_id"] for m in body["transfers"]} == {reference}
    got = api("GET", f"{BASE}/transfers/{reference}", token=enabled).json()
    assert got["from_warehouse_id"] == a["id"] and got["to_warehouse_id"] == b["id"] and got["quantity"] == 3
    assert sorted(got["movement_ids"]) == sorted(m["id"] for m in body["transfers"])
    assert api("GET", f"{BASE}/transfers/TRF-NOPE", token=enabled).status == 404
    listed = api("GET", f"{BASE}/transfers", token=enabled).json()
    assert [t["reference_id"] for t in listed["transfers"]] == [reference] and listed["pagination"]["total"] == 1
    assert api("GET", f"{BASE}/transfers", token=enabled, query={"date_to": "2000-01-01"}).json()["transfers"] == []
    over = api("POST", f"{BASE}/transfers", token=enabled, body={
        "stock_item_id": item["id"], "from_warehouse_id": a["id"], "to_warehouse_id": b["id"], "quantity": 6})
    assert over.status == 409 and over.json()["error_code"] == "insufficient_stock"
    same = api("POST", f"{BASE}/transfers", token=enabled, body={
        "stock_item_id": item["id"], "from_warehouse_id": a["id"], "to_warehouse_id": a["id"], "quantity": 1})
    assert same.status == 400
    levels = api("GET", f"{BASE}/stock-levels", token=enabled, query={"stock_item_id": item["id"]}).json()
    assert {lv["warehouse_id"]: lv["quantity_on_hand"] for lv in levels["stock_levels"]} == {a["id"]: 5, b["id"]: 3}
    assert {lv["average_cost"] for lv in levels["stock_levels"]} == {4}  # B took A's moving average cost


def test_a_movement_that_lost_a_race_reads_again_and_cannot_oversell(api, enabled, monkeypatch):
    """Another transfer lands between this one's read and its write: the write (under the version it
    read) fails, the transfer reads again and is refused, as the stock is gone. (20 truly parallel
    transfers run in tests/e2e against the local stack, whose DynamoDB applies each request atomically.)"""
    from shared.data import stock as stock_data
    from shared.domain import Principal
    from shared.logic import stock_movements

    item = _item(api, enabled)
    a, b = _warehouse(api, enabled, "A"), _warehouse(api, enabled, "B")
    _move(api, enabled, "receipt", item, a, 1, unit_cost=1)
    admin = Principal(token_id=1, user_id=1, role="admin", scopes=("admin:all",))
    values = {"stock_item_id": item["id"], "from_warehouse_id": a["id"], "to_warehouse_id": b["id"], "quantity": 1}
    real_get, reads = stock_data.get_levels, []

    def get_levels_then_lose_the_race(pairs):
        levels = real_get(pairs)
        reads.append(levels)
        if len(reads) == 1:
            monkeypatch.setattr(stock_data, "get_levels", real_get)
            stock_movements.create_transfer(admin, values)  # the competitor takes the last unit
            monkeypatch.setattr(stock_data, "get_levels", get_levels_then_lose_the_race)
        return levels

    monkeypatch.setattr(stock_data, "get_levels", get_levels_then_lose_the_race)
    with pytest.raises(stock_movements.InsufficientStock, match="0.000 available"):
        stock_movements.create_transfer(admin, values)
    assert len(reads) == 2  # read, lost the race, read again
    monkeypatch.setattr(stock_data, "get_levels", real_get)
    levels = {lv["warehouse_id"]: lv["quantity_on_hand"] for lv in api(
        "GET", f"{BASE}/stock-levels", token=enabled, query={"stock_item_id": item["id"]}).json()["stock_levels"]}
    assert levels == {a["id"]: 0, b["id"]: 1}


def test_reports_match_hand_computed_figures(api, enabled):
    bolt = _item(api, enabled, sku="BOLT", name="Bolt", category="Hardware", reorder_point=20)
    glue = _item(api, enabled, sku="GLUE", name="Glue", category="Chemicals", reorder_point=2)
    main, north = _warehouse(api, enabled, "MAIN"), _warehouse(api, enabled, "NORTH")
    _move(api, enabled, "receipt", bolt, main, 10, unit_cost=1.00)
    _move(api, enabled, "receipt", bolt, main, 30, unit_cost=2.00)  # average (10 + 60) / 40 = 1.75
    _move(api, enabled, "issue", bolt, main, 24)  # 16 left at 1.75 = 28.00
    _move(api, enabled, "receipt", glue, north, 4, unit_cost=3.10)  # 12.40
    _move(api, enabled, "waste", glue, north, 1)  # 3 left at 3.10 = 9.30
    valuation = api("GET", f"{BASE}/reports/valuation", token=enabled).json()
    assert valuation["total_value"] == 37.30
    assert {w["warehouse_code"]: w["total_value"] for w in valuation["by_warehouse"]} == {"MAIN": 28.0, "NORTH": 9.3}
    assert {c["category"]: c["total_value"] for c in valuation["by_category"]} == {"Hardware": 28.0,
                                                                                   "Chemicals": 9.3}
    bolt_line = next(d for d in valuation["item_details"] if d["sku"] == "BOLT")
    assert (bolt_line["quantity_on_hand"], bolt_line["average_cost"]) == (16, 1.75)
    assert api("GET", f"{BASE}/reports/valuation", token=enabled, query={"category": "Chemicals"}).json()[
        "total_value"] == 9.3
    assert api("GET", f"{BASE}/reports/valuation", token=enabled, query={"warehouse_id": main["id"]}).json()[
        "total_value"] == 28.0

    low = api("GET", f"{BASE}/reports/low-stock", token=enabled).json()["items"]
    assert [(i["sku"], i["quantity_on_hand"], i["reorder_point"], i["shortfall"]) for i in low] == \
        [("BOLT", 16, 20, 4)]  # glue: 3 is not below 2

    turnover = api("GET", f"{BASE}/reports/turnover", token=enabled, query={"item_id": bolt["id"]}).json()
    [line] = turnover["items"]
    # opening 0, closing 16, average 8; issued 24: ratio 3.00
    assert (line["quantity_issued"], line["average_stock"], line["turnover_ratio"]) == (24, 8, 3.0)

    history = api("GET", f"{BASE}/reports/movement-history", token=enabled, query={"movement_type": "receipt",
                                                                                  "per_page": 2}).json()
    assert history["pagination"]["total"] == 3 and len(history["movements"]) == 2
    assert history["movements"][0]["stock_item_id"] == glue["id"]  # newest first
    by_warehouse = api("GET", f"{BASE}/reports/movement-history", token=enabled,
                       query={"warehouse_id": north["id"]}).json()
    assert [m["movement_type"] for m in by_warehouse["movements"]] == ["waste", "receipt"]
    assert api("GET", f"{BASE}/reports/movement-history", token=enabled,
               query={"date_from": "2999-01-01"}).json()["movements"] == []
    assert api("GET", f"{BASE}/reports/movement-history", token=enabled,
               query={"date_from": "01/02/2024"}).status == 400


def test_a_transaction_conflict_with_another_movement_is_retried(api, enabled, monkeypatch):
    """DynamoDB cancels a transaction whose items another transaction is writing (TransactionConflict):
    the movement reads again and writes, instead of failing."""
    from shared.data import common
    from shared.data import stock as stock_data

    item = _item(api, enabled)
    warehouse = _warehouse(api, enabled, "W")
    real, calls = stock_data._write_movement, []

    def conflict_once(*args):
        calls.append(1)
        if len(calls) == 1:
            raise common.TransactionConflict()
        return real(*args)

    monkeypatch.setattr(stock_data, "_write_movement", conflict_once)
    r = _move(api, enabled, "receipt", item, warehouse, 2)
    assert r.status == 201 and r.json()["stock_level"]["quantity_on_hand"] == 2 and len(calls) == 2
