"""`kelahiran chaos`: break `kelahiran up` the ways issue 19 did; prove each birth completed once."""
