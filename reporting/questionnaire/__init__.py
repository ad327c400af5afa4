"""The questionnaire spec: generated from the commitment register, validated, versioned, compared,
exported as an XLSForm and frozen in the database for a reporting cycle.

``scale`` (status scale, item kinds), ``expressions`` (the ``show_if``/check
language), ``areas`` (thematic areas), ``generate``, ``schema`` (load and
validate), ``diff``, ``versions``, ``xlsform`` and ``cli`` (``flask spec …``).
"""
