"""Dukcapil (civil registry) simulator: NIK, akta kelahiran, KIA and KK reissue over HTTP."""
