#!/usr/bin/env python3
"""Independent reference for calo::Rng (src/core/rng.hh), written from the published algorithms:
splitmix64 and xoshiro256** 1.0 (Blackman & Vigna, https://prng.di.unimi.it/, both public domain).
Usage: xoshiro_reference.py SEED STREAM COUNT -> COUNT lines: the 64-bit outputs in hex."""
import sys

M = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return state, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M


def stream(seed, index, count):
    # calo's stream derivation: the splitmix64 seed is seed XOR golden-ratio * (stream + 1).
    x = seed ^ ((0x9E3779B97F4A7C15 * (index + 1)) & M)
    s = []
    for _ in range(4):
        x, v = splitmix64(x)
        s.append(v)
    for _ in range(count):
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        yield result


if __name__ == "__main__":
    seed, index, count = (int(a) for a in sys.argv[1:4])
    for v in stream(seed, index, count):
        print(f"{v:016x}")
