from shared.data.schema import all_table_specs


def test_tables_are_derived_from_the_storage_models():
    specs = {s.logical: s for s in all_table_specs()}
    assert set(specs) == {"users", "api_tokens", "projects", "clients", "tasks", "counters", "unique_names",
                          "rate_limits", "time_entries", "idempotency", "search_terms",
                          "imports", "import_errors", "exports", "restores", "harvest_connections", "harvest_runs",
                          "webhooks", "webhook_deliveries", "settings", "stock_items", "warehouses", "stock_levels",
                          "stock_movements"}
    assert specs["projects"].partition == ("org", "S") and specs["projects"].sort == ("id", "N")
    assert {name for name, _, _ in specs["projects"].indexes} == {"by-status", "by-client"}
    assert specs["api_tokens"].ttl_attribute == "purge_at"
    assert specs["rate_limits"].ttl_attribute == "expires_at"
    assert specs["exports"].ttl_attribute == "purge_at"  # the record goes a day after its file
    assert specs["tasks"].stream_view_type == "NEW_AND_OLD_IMAGES"


def test_create_table_arguments_define_every_key_attribute_once():
    for spec in all_table_specs():
        args = spec.create_table_args()
        defined = [a["AttributeName"] for a in args["AttributeDefinitions"]]
        assert len(defined) == len(set(defined))
        used = {k["AttributeName"] for k in args["KeySchema"]}
        for gsi in args.get("GlobalSecondaryIndexes", []):
            used |= {k["AttributeName"] for k in gsi["KeySchema"]}
        assert used == set(defined)
        assert args["BillingMode"] == "PAY_PER_REQUEST"
