"""Hospital callbacks: a per-hospital webhook, a durable outbox of bundle events, and its dispatcher.

Events are written in the read-model transaction that changes a bundle (api/readmodel/crud.py), so
none is lost and none describes a write that rolled back; `kelahiran callbacks` delivers them,
signed, at least once and in order per bundle; hospitals may also poll them.
"""
