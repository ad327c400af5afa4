"""Open data of published cycles: the files (aggregates, public answers, data
dictionary) written when a cycle is published or its reports are built, the
DCAT catalogue of those files, and the read-only public API that serves them.

Everything public here is read from what ``files.write_cycle_files`` wrote to
disk; which answers are public is decided by ``reporting.publication.policy``
alone.
"""
