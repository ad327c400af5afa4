"""The commitment register: the sources' commitments as reviewed, stable records.

Public API (plain functions): ``build.build_register``, ``build.write_register``,
``build.load_register``, ``build.register_checksum``, ``check.check_sources``;
``cli.register_cli`` is the ``flask register`` group. See
``questionnaire_specs/register/README.md`` for ids, fields and rules.
"""
