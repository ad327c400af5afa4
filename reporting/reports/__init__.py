"""Progress reports: SQL aggregation of the answers, PDF reports and country
profiles (Jinja → WeasyPrint), CSV/XLSX exports, ``flask report build`` and the
``/reports`` pages.

Data flows one way: ``aggregation`` (numbers from SQL) → ``content`` (the
numbers arranged by the questionnaire spec) → ``render`` (HTML and PDF) →
``build`` (files, manifest, database rows).
"""
