"""A local SMS gateway: accepts messages as a provider's HTTP API would and keeps them for tests."""
