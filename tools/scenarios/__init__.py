"""Testers' scenarios: YAML files describing births, steps and expected outcomes, and their runner.

`schema` (with `steps`, `expect`, `values`) is the file format, `loader` reads it, `session` and
`runner` run it on a `target` stack, `report` and `junit` show the result.
"""
