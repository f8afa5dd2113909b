"""The connected offices as a citizen meets them: full name, where to collect a card, opening hours.

[assumed] The addresses are illustrative stand-ins, not the offices' published addresses.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulators.common import regions

# The Dukcapil offices the simulator runs. Kota Tangerang (3671) is deliberately absent: a family
# living there is a case for an operator to forward (DOMISILI_LUAR).
CONNECTED_OFFICES: tuple[str, ...] = ("3673", "3604", "3672", "3201")


@dataclass(frozen=True)
class Office:
    code: str
    name: str  # "Kota Serang"
    address: str
    hours: str = "Senin-Jumat 08.00-15.00 WIB"

    @property
    def agency(self) -> str:
        return f"Dinas Kependudukan dan Pencatatan Sipil {self.name}"

    @property
    def city(self) -> str:
        """Where documents are 'dikeluarkan di': the seat of the office's government."""
        return _SEATS.get(self.code) or self.name.removeprefix("Kab. ").removeprefix("Kota ")


# A kabupaten's seat is often not a town of its name: Kab. Bogor is governed from Cibinong. A kota
# is its own seat; Kab. Serang's government sits in Serang.
_SEATS = {"3201": "Cibinong"}

_ADDRESSES = {
    "3673": "Pusat Pemerintahan Kota Serang, Jl. Jenderal Sudirman, Serang, Banten",
    "3604": "Pusat Pemerintahan Kabupaten Serang, Jl. Veteran, Serang, Banten",
    "3672": "Jl. Jenderal Sudirman, Kota Cilegon, Banten",
    "3201": "Kompleks Pemerintahan Kabupaten Bogor, Cibinong, Jawa Barat",
}


def office(code: str) -> Office:
    name = regions.kab_kota_name(code) or code
    return Office(code=code, name=name, address=_ADDRESSES.get(code, f"Kantor Disdukcapil {name}"))
