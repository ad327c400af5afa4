"""Backups of the database and the documents store, and their verified restore (``flask backup``)."""
