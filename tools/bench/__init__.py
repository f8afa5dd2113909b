"""`kelahiran bench`: load, measurement and the engine floor (issue 6)."""
