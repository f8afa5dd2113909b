"""`python -m cli`: the `kelahiran` command without relying on the console script."""

from cli import main

main()
