"""The SMS gateway: one message to a family's phone (the download link and its PIN)."""
