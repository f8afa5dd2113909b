"""FHIR R4 intake: a SATUSEHAT-style transaction Bundle mapped to the same BirthNotification as JSON.

parse.py reads and checks the base R4 structure, mapping.py / children.py apply SATUSEHAT's rules and
ours while mapping, outcome.py answers errors as OperationOutcome, routes.py is the endpoint."""
