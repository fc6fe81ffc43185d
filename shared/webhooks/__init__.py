"""Outbound webhooks, with nothing of AWS in them: signing (signing.py), which addresses
may be called (addresses.py) and one POST to a checked address (sender.py)."""
