"""Storage models (PynamoDB). They never leave shared/data."""


def all_models():
    """Every table's model: the schema source for the CDK app and the local stack."""
    from shared.models.api_tokens import ApiTokenModel
    from shared.models.catalog import ClientModel, ProjectModel, TaskModel
    from shared.models.exports import ExportModel, RestoreModel
    from shared.models.harvest import HarvestConnectionModel, HarvestRunModel
    from shared.models.imports import ImportErrorModel, ImportModel
    from shared.models.inventory import (
        SettingsModel,
        StockItemModel,
        StockLevelModel,
        StockMovementModel,
        WarehouseModel,
    )
    from shared.models.registry import (
        CounterModel,
        IdempotencyModel,
        RateLimitModel,
        SearchTermModel,
        UniqueNameModel,
    )
    from shared.models.time_entries import TimeEntryModel
    from shared.models.users import UserModel
    from shared.models.webhooks import WebhookDeliveryModel, WebhookModel

    return {
        "users": UserModel,
        "api_tokens": ApiTokenModel,
        "projects": ProjectModel,
        "clients": ClientModel,
        "tasks": TaskModel,
        "counters": CounterModel,
        "unique_names": UniqueNameModel,
        "rate_limits": RateLimitModel,
        "time_entries": TimeEntryModel,
        "idempotency": IdempotencyModel,
        "search_terms": SearchTermModel,
        "imports": ImportModel,
        "import_errors": ImportErrorModel,
        "exports": ExportModel,
        "restores": RestoreModel,
        "harvest_connections": HarvestConnectionModel,
        "harvest_runs": HarvestRunModel,
        "webhooks": WebhookModel,
        "webhook_deliveries": WebhookDeliveryModel,
        "settings": SettingsModel,
        "stock_items": StockItemModel,
        "warehouses": WarehouseModel,
        "stock_levels": StockLevelModel,
        "stock_movements": StockMovementModel,
    }
