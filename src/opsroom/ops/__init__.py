"""The operations-room services: identity, audit, gate scans, venue status, incidents, intelligence.

Services take a database session (and a clock where time matters) and return plain frozen values;
they raise :mod:`opsroom.errors` classes, never HTTP errors.
"""
