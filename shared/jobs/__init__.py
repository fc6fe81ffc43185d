"""The background job machinery every kind of work shares.

- status.py: each job kind's statuses and the transitions between them (the data layer
  refuses any other: shared/data/jobs.py).
- messages.py: one frozen dataclass per kind of queue message; it knows its queue and
  encodes itself (shared/data/work_queue.py sends it to that queue, there is no default).
- registry.py: message type -> the step that handles it and the settler that ends its
  job when the queue gives up on it; a worker is a lookup in it (shared/queue_worker.py).

Adding a kind of background work is one dataclass here and one ``@handles`` (and
``@settles``) function beside the logic it runs.
"""
