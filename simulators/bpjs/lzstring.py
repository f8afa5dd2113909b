"""LZ-string `compressToEncodedURIComponent`, the simulator's half of the bridging envelope.

Ported from the reference JavaScript (lz-string 1.5.0) because PyPI `lzstring` 1.0.4 works on
Python code points, not UTF-16 code units, and so disagrees with JavaScript on characters
outside the BMP. This side only compresses; the adapter decompresses with its own port.
"""

from __future__ import annotations

_URI_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$"


def _utf16_units(text: str) -> list[str]:
    # JavaScript strings are UTF-16: an astral character is two units, each compressed on its own.
    raw = text.encode("utf-16-le", "surrogatepass")
    return [chr(int.from_bytes(raw[i : i + 2], "little")) for i in range(0, len(raw), 2)]


class _BitWriter:
    def __init__(self, bits_per_char: int, alphabet: str) -> None:
        self._bits_per_char = bits_per_char
        self._alphabet = alphabet
        self._val = 0
        self._position = 0
        self.out: list[str] = []

    def write(self, value: int, nbits: int) -> None:
        """Write `nbits` of `value`, least significant bit first (as the reference does)."""
        for _ in range(nbits):
            self._val = (self._val << 1) | (value & 1)
            value >>= 1
            if self._position == self._bits_per_char - 1:
                self._position = 0
                self.out.append(self._alphabet[self._val])
                self._val = 0
            else:
                self._position += 1

    def flush(self) -> None:
        while True:
            self._val <<= 1
            if self._position == self._bits_per_char - 1:
                self.out.append(self._alphabet[self._val])
                return
            self._position += 1


def _compress(units: list[str], writer: _BitWriter) -> None:
    dictionary: dict[str, int] = {}
    to_create: set[str] = set()
    dict_size, num_bits, enlarge_in = 3, 2, 2  # enlarge_in 2 compensates for the first entry
    w = ""

    def emit(w: str) -> None:
        nonlocal enlarge_in, num_bits
        if w in to_create:
            code = ord(w[0])
            if code < 256:
                writer.write(0, num_bits)
                writer.write(code, 8)
            else:
                writer.write(1, num_bits)
                writer.write(code, 16)
            enlarge_in -= 1
            if enlarge_in == 0:
                enlarge_in, num_bits = 2**num_bits, num_bits + 1
            to_create.discard(w)
        else:
            writer.write(dictionary[w], num_bits)
        enlarge_in -= 1
        if enlarge_in == 0:
            enlarge_in, num_bits = 2**num_bits, num_bits + 1

    for c in units:
        if c not in dictionary:
            dictionary[c] = dict_size
            dict_size += 1
            to_create.add(c)
        wc = w + c
        if wc in dictionary:
            w = wc
            continue
        emit(w)
        dictionary[wc] = dict_size
        dict_size += 1
        w = c
    if w:
        emit(w)
    writer.write(2, num_bits)  # end of stream
    writer.flush()


def compress_to_encoded_uri_component(text: str) -> str:
    """Compress like JavaScript `LZString.compressToEncodedURIComponent`."""
    writer = _BitWriter(6, _URI_SAFE)
    _compress(_utf16_units(text), writer)
    return "".join(writer.out)
