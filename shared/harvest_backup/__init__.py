"""Full-account Harvest backups: one engine (engine.py) with two front ends, the `tt
harvest-backup` command (a directory) and the scheduled job (the data bucket), each a store
(stores.py) the engine writes through."""
