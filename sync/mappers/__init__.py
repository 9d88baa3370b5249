"""Pure functions: a Zoho record (dict) -> a row dict for the mirror (model field names)."""
