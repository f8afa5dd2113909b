"""Who may do what: hospital API keys, operator accounts and sessions, roles, the audit log."""
