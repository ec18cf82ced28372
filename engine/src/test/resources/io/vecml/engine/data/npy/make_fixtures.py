"""Writes the tiny .npy fixtures that NpyTest and NpyDatasetReaderTest read (run from this folder).

Every file is written by numpy itself, so the tests check vecml against numpy's own output;
the tests assert the exact values below.
"""
import os

import numpy as np

os.makedirs("set", exist_ok=True)

# 3-D uint8, format 1.0: values 0..23 in C order
np.save("u8_3d.npy", np.arange(24, dtype=np.uint8).reshape(2, 3, 4))

# float64 2-D
np.save("f8_2d.npy", np.array([[1.5, -2.25, 0.1], [3e10, -0.0, 7.0]], dtype=np.float64))

# int64 labels (numpy's default integer)
np.save("i8_labels.npy", np.array([2, 0, 1], dtype=np.int64))

# float32 2-D with a version 2.0 header
with open("f4_v2.npy", "wb") as f:
    np.lib.format.write_array(f, np.array([[0.5, -1.0, 2.0], [3.25, 1e-3, -7.5]], dtype=np.float32), version=(2, 0))

# int32, int16, uint16, int8 1-D; a 0-d float32 scalar
np.save("i4_1d.npy", np.array([-2147483648, -1, 0, 2147483647], dtype=np.int32))
np.save("i2_1d.npy", np.array([-32768, -1, 32767], dtype=np.int16))
np.save("u2_1d.npy", np.array([0, 1, 65535], dtype=np.uint16))
np.save("i1_1d.npy", np.array([-128, -1, 127], dtype=np.int8))
np.save("f4_0d.npy", np.float32(2.5))

# refused: Fortran order, big-endian
np.save("fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
np.save("big_endian.npy", np.arange(3, dtype=">f4"))

# a train/test folder: 4 grey 2x2 uint8 images, upper-case X as Keras/scikit-learn users often write
np.save("set/X_train.npy", np.arange(16, dtype=np.uint8).reshape(4, 2, 2))
np.save("set/y_train.npy", np.array([0, 1, 2, 1], dtype=np.int64))
np.save("set/X_test.npy", np.array([[[9, 8], [7, 6]]], dtype=np.uint8))
np.save("set/y_test.npy", np.array([2], dtype=np.int64))
