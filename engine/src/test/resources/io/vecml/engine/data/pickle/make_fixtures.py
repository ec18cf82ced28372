#!/usr/bin/python3
"""Writes the small real-Python pickles that SafeUnpicklerTest and CifarPythonReaderTest read.

Run with the system python3 + numpy (here: Python 3.11, numpy 1.24) from this folder:
    /usr/bin/python3 make_fixtures.py
Each batch looks like a CIFAR-10 python batch with few rows. Values follow formulas the tests
recompute: pixel[r, c] = (37 * seed + 131 * r + 7 * c) % 256, label[r] = (seed + 3 * r) % 10,
filename[r] = "img_<seed>_<r>.png", batch_label = "fixture batch <seed>".
"bytes" files have bytes keys and bytes strings, as Python 3 re-writes a batch it loaded with
pickle.load(f, encoding='bytes').
"""
import pickle

import numpy as np

# name: (seed, rows, protocol, bytes keys)
BATCHES = {
    "batch_p0.pkl": (5, 1, 0, False),
    "batch_p2.pkl": (1, 3, 2, False),
    "batch_p2_bytes.pkl": (2, 2, 2, True),
    "batch_p4_bytes.pkl": (3, 4, 4, True),
    "batch_p5.pkl": (4, 4, 5, False),
}
NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
METAS = {
    "meta_p2.pkl": (2, False),
    "meta_p5_bytes.pkl": (5, True),
}


def key(s, as_bytes):
    return s.encode("latin1") if as_bytes else s


def batch(seed, rows, as_bytes):
    r = np.arange(rows, dtype=np.int64)[:, None]
    c = np.arange(3072, dtype=np.int64)[None, :]
    data = ((37 * seed + 131 * r + 7 * c) % 256).astype(np.uint8)
    assert data.flags["C_CONTIGUOUS"]
    return {
        key("batch_label", as_bytes): key("fixture batch %d" % seed, as_bytes),
        key("labels", as_bytes): [(seed + 3 * i) % 10 for i in range(rows)],
        key("data", as_bytes): data,
        key("filenames", as_bytes): [key("img_%d_%d.png" % (seed, i), as_bytes) for i in range(rows)],
    }


def main():
    for name, (seed, rows, proto, as_bytes) in BATCHES.items():
        blob = pickle.dumps(batch(seed, rows, as_bytes), protocol=proto)
        assert len(blob) <= 20 * 1024, (name, len(blob))
        with open(name, "wb") as f:
            f.write(blob)
    for name, (proto, as_bytes) in METAS.items():
        meta = {
            key("num_cases_per_batch", as_bytes): 10000,
            key("label_names", as_bytes): [key(n, as_bytes) for n in NAMES],
            key("num_vis", as_bytes): 3072,
        }
        with open(name, "wb") as f:
            f.write(pickle.dumps(meta, protocol=proto))


if __name__ == "__main__":
    main()
