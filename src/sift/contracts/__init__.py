"""Event types and internal API schemas shared by services (data only, no behaviour)."""
