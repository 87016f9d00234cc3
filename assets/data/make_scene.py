#!/usr/bin/env python3
"""Generates `scene.u8.zlib`, the 256 x 256 grayscale scene that LayerLab's implicit neural
representation dataset (`image: scene`) fits.

The scene stands in for a photograph: smooth gradients (a sky, the ground, a glow), shapes with
soft (antialiased) edges (a sun, hills, a house with windows, a tree, a shaded ball) and fine
stripes (a fence, an awning, a diagonally striped sign) for the high frequencies a coordinate
network finds hard. Nothing is random and nothing is downloaded: it is a pure function of the
formulas below, so the file is the project's own work, under the project's licence.

Output: 65,536 bytes, one per pixel (0 black to 255 white), row by row from the top row, each
row from left to right, compressed with zlib at level 9, written beside this script. It prints the
SHA-256 of the compressed file and of the raw pixels, which `README.md` and the engine's tests
(`crates/engine/tests/datasets.rs`) list.

    .tools/venv/bin/python assets/data/make_scene.py [--png preview.png]

Needs numpy only (and the standard library). Another numpy or platform could round a rare pixel
the other way (the formulas use sin, exp and sqrt); the committed file is the reference.
"""

import argparse
import hashlib
import pathlib
import struct
import zlib

import numpy as np

SIDE = 256


def smoothstep(edge0, edge1, x):
    t = np.clip((x - edge0) / (edge1 - edge0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def coverage(distance, softness=1.0):
    """How much of a pixel a shape covers, from the signed distance to its edge in pixels
    (negative inside): 1 inside, 0 outside, a smooth ramp `softness` pixels either side."""
    return 1.0 - smoothstep(-softness, softness, distance)


def disc(u, v, cu, cv, radius):
    """Signed distance, in pixels, to a disc (centre and radius in units of the side)."""
    return (np.hypot(u - cu, v - cv) - radius) * SIDE


def box(u, v, u0, v0, u1, v1):
    """Signed distance, in pixels, to an axis-aligned rectangle (corners in units of the side)."""
    du = np.maximum(u0 - u, u - u1)
    dv = np.maximum(v0 - v, v - v1)
    outside = np.hypot(np.maximum(du, 0.0), np.maximum(dv, 0.0))
    inside = np.minimum(np.maximum(du, dv), 0.0)
    return (outside + inside) * SIDE


def paint(image, alpha, value):
    """Lays `value` (a number or an array) over `image` where `alpha` (0..1) says."""
    return image * (1.0 - alpha) + value * alpha


def scene():
    # Pixel centres; u runs left to right, v top to bottom, both in (0, 1).
    centres = (np.arange(SIDE) + 0.5) / SIDE
    u, v = np.meshgrid(centres, centres)

    # Sky: a vertical gradient, brighter towards the horizon, and a glow around the sun.
    image = 0.55 + 0.30 * v
    sun_u, sun_v = 0.78, 0.18
    image = image + 0.25 * np.exp(-(((u - sun_u) ** 2 + (v - sun_v) ** 2) / 0.02))
    image = paint(image, coverage(disc(u, v, sun_u, sun_v, 0.07), 1.5), 0.98)

    # Far hills: a smooth horizon, lit from the right.
    horizon = 0.52 + 0.05 * np.sin(2 * np.pi * (1.3 * u + 0.1)) + 0.025 * np.sin(2 * np.pi * (3.1 * u + 0.35))
    hills = 0.48 + 0.10 * u - 0.25 * (v - horizon)
    image = paint(image, coverage((horizon - v) * SIDE, 1.0), hills)

    # Ground: darker towards the viewer, with a gentle texture of a few waves.
    ground_line = 0.68 + 0.02 * np.sin(2 * np.pi * (0.7 * u + 0.2))
    texture = 0.025 * np.sin(2 * np.pi * (11 * u + 3 * v)) + 0.02 * np.sin(2 * np.pi * (5 * u - 17 * v + 0.3))
    ground = 0.40 - 0.30 * (v - ground_line) + texture
    image = paint(image, coverage((ground_line - v) * SIDE, 1.0), ground)

    # A house: the wall, a triangular roof, a door and a grid of windows.
    image = paint(image, coverage(box(u, v, 0.10, 0.42, 0.36, 0.74)), 0.62 - 0.15 * (u - 0.10))
    roof = np.maximum(v - 0.43, np.abs(u - 0.23) * 0.75 - (v - 0.30)) * SIDE
    image = paint(image, coverage(roof), 0.22)
    for row in range(2):
        for column in range(3):
            u0, v0 = 0.13 + 0.08 * column, 0.47 + 0.11 * row
            image = paint(image, coverage(box(u, v, u0, v0, u0 + 0.045, v0 + 0.06), 0.7), 0.12)
    image = paint(image, coverage(box(u, v, 0.30, 0.62, 0.34, 0.74), 0.7), 0.30)

    # A tree: a trunk and a crown shaded from the upper left.
    image = paint(image, coverage(box(u, v, 0.485, 0.50, 0.505, 0.70)), 0.18)
    crown = 0.30 + 0.25 * np.clip(1.0 - np.hypot(u - 0.47, v - 0.38) / 0.11, 0.0, 1.0)
    image = paint(image, coverage(disc(u, v, 0.495, 0.43, 0.085), 1.2), crown)

    # A fence: vertical stripes with a period of 4 pixels, the finest detail in the scene.
    fence = 0.55 + 0.35 * np.sin(2 * np.pi * u * SIDE / 4.0)
    image = paint(image, coverage(box(u, v, 0.40, 0.70, 0.72, 0.80), 0.7), fence)

    # An awning over the door: horizontal stripes with a period of 6 pixels.
    awning = 0.5 + 0.4 * np.clip(3.0 * np.sin(2 * np.pi * v * SIDE / 6.0), -1.0, 1.0)
    image = paint(image, coverage(box(u, v, 0.27, 0.585, 0.37, 0.615), 0.6), awning)

    # A sign: diagonal stripes with a period of about 5 pixels, in a soft-edged frame.
    sign = 0.5 + 0.35 * np.sin(2 * np.pi * (u + v) * SIDE / 7.0)
    image = paint(image, coverage(box(u, v, 0.60, 0.30, 0.70, 0.40), 1.0), 0.08)
    image = paint(image, coverage(box(u, v, 0.61, 0.31, 0.69, 0.39), 0.8), sign)
    image = paint(image, coverage(box(u, v, 0.645, 0.40, 0.655, 0.58)), 0.15)

    # A ball in front: dark, with a highlight towards the sun.
    ball = 0.08 + 0.55 * np.exp(-(((u - 0.89) ** 2 + (v - 0.78) ** 2) / 0.0025))
    image = paint(image, coverage(disc(u, v, 0.86, 0.82, 0.09), 1.5), ball)

    # A soft vignette, as a lens gives.
    image = image * (1.0 - 0.18 * ((u - 0.5) ** 2 + (v - 0.5) ** 2))
    return np.clip(np.round(image * 255.0), 0, 255).astype(np.uint8)


def png(pixels):
    """A grayscale PNG of `pixels`, for looking at the scene."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes(row) for row in pixels)
    header = struct.pack(">IIBBBBB", pixels.shape[1], pixels.shape[0], 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--png", help="also write a PNG preview to this path")
    args = parser.parse_args()
    pixels = scene()
    raw = pixels.tobytes()
    compressed = zlib.compress(raw, 9)
    out = pathlib.Path(__file__).with_name("scene.u8.zlib")
    out.write_bytes(compressed)
    print(f"{out.name}: {len(compressed)} bytes, SHA-256 {hashlib.sha256(compressed).hexdigest()}")
    print(f"pixels: {len(raw)} bytes, SHA-256 {hashlib.sha256(raw).hexdigest()}")
    print(f"brightness: min {pixels.min()}, max {pixels.max()}, mean {pixels.mean():.2f}")
    if args.png:
        pathlib.Path(args.png).write_bytes(png(pixels))


if __name__ == "__main__":
    main()
