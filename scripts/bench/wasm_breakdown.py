#!/usr/bin/env python3
"""Where a contract's wasm code goes: each function body's size, summed by
the crate and module its (v0-mangled) name is monomorphised on, for the
serde-json-wasm decoding and encoding functions.

Usage: wasm_breakdown.py FILE.wasm   (a wasm built with its name section)
"""
import collections
import re
import sys


def leb(b, i):
    """An unsigned LEB128 at b[i]: (value, index after it)."""
    value = shift = 0
    while True:
        byte = b[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def limits(b, j):
    flags = b[j]
    j += 1
    _, j = leb(b, j)
    return leb(b, j)[1] if flags & 1 else j


def functions(data):
    """[(name, body size)] of the module's defined functions."""
    sections, i = [], 8
    while i < len(data):
        sid = data[i]
        size, i = leb(data, i + 1)
        sections.append((sid, data[i:i + size]))
        i += size
    imported, bodies, names = 0, [], {}
    for sid, b in sections:
        if sid == 2:  # imports: functions count before the defined ones
            n, j = leb(b, 0)
            for _ in range(n):
                for _ in range(2):
                    length, j = leb(b, j)
                    j += length
                kind = b[j]
                j += 1
                if kind == 0:
                    _, j = leb(b, j)
                    imported += 1
                elif kind == 1:
                    j = limits(b, j + 1)
                elif kind == 2:
                    j = limits(b, j)
                else:
                    j += 2
        elif sid == 10:  # code
            n, j = leb(b, 0)
            for _ in range(n):
                length, k = leb(b, j)
                bodies.append(length + k - j)
                j = k + length
        elif sid == 0:  # custom: the name section's function names
            length, j = leb(b, 0)
            if b[j:j + length] != b"name":
                continue
            j += length
            while j < len(b):
                kind = b[j]
                size, j = leb(b, j + 1)
                if kind == 1:
                    n, k = leb(b, j)
                    for _ in range(n):
                        idx, k = leb(b, k)
                        length, k = leb(b, k)
                        names[idx] = b[k:k + length].decode("utf-8", "replace")
                        k += length
                j += size
    if not names:
        sys.exit("no name section: build with CARGO_PROFILE_WASM_STRIP=none and without -s")
    return [(names.get(imported + i, "?"), size) for i, size in enumerate(bodies)]


def main():
    funcs = functions(open(sys.argv[1], "rb").read())
    print(f"all function bodies: {sum(s for _, s in funcs):,} bytes in {len(funcs)} functions")
    by_owner = collections.Counter()
    for name, size in funcs:
        if "serde_json_wasm" not in name:
            continue
        direction = "decode" if name.split("serde_json_wasm", 1)[1].startswith("2de") else "encode"
        owner = re.search(r"\d+(fog_[a-z_]+|cosmwasm_std|cw20|cw2|cw_utils|cw_storage_plus)(\d+)([a-z_]+)", name)
        if owner:
            module = owner.group(3)[: int(owner.group(2))]
            key = f"{owner.group(1)}::{module}"
        else:
            key = "(the generic parser and writer)"
        by_owner[(direction, key)] += size
    for direction in ("decode", "encode"):
        total = sum(v for (d, _), v in by_owner.items() if d == direction)
        print(f"serde-json-wasm {direction}: {total:,}")
        for (d, key), size in by_owner.most_common():
            if d == direction and size >= 1000:
                print(f"  {size:>8,}  {key}")


if __name__ == "__main__":
    main()
