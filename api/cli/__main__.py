"""`python -m api.cli`: the `kelahiran` command without relying on the console script."""

from api.cli import main

main()
