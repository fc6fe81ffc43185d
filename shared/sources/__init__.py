"""Clients of the services people migrate from (Toggl Track, Harvest), over their HTTP APIs.

They know paging, auth and each service's answers; they know nothing of DynamoDB, SQS or
the import pipeline (shared/logic/source_imports.py drives them)."""
