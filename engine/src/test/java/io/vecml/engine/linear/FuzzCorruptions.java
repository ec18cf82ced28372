package io.vecml.engine.linear;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/** Seeded corruptions of a model file's bytes, shared by the engine and CLI fuzz tests. */
public final class FuzzCorruptions {

    private FuzzCorruptions() {
    }

    /**
     * Case {@code i} of a rotation: a truncation, bit flips keeping the stored checksum, bit flips with the
     * checksum recomputed, or a random 4- or 8-byte number (often NaN or infinite) written over the
     * numbers from {@code numbersAt} on with the checksum recomputed.
     */
    public static byte[] corrupt(byte[] good, Random rnd, int i, int numbersAt) {
        byte[] b = good.clone();
        switch (i % 4) {
            case 0 -> {
                return Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            case 1 -> flip(b, rnd);
            case 2 -> {
                flip(b, rnd);
                recrc(b);
            }
            default -> {
                int at = numbersAt + rnd.nextInt(b.length - 4 - 8 - numbersAt);
                ByteBuffer buf = ByteBuffer.wrap(b);
                switch (rnd.nextInt(4)) {
                    case 0 -> buf.putFloat(at, Float.NaN);
                    case 1 -> buf.putDouble(at, rnd.nextBoolean() ? Double.NaN : 0.0);
                    case 2 -> buf.putFloat(at, Float.intBitsToFloat(rnd.nextInt()));
                    default -> buf.putDouble(at, Double.longBitsToDouble(rnd.nextLong()));
                }
                recrc(b);
            }
        }
        return b;
    }

    private static void flip(byte[] b, Random rnd) {
        int n = 1 + rnd.nextInt(3);
        for (int k = 0; k < n; k++) {
            int bit = rnd.nextInt(b.length * 8);
            b[bit / 8] ^= (byte) (1 << (bit % 8));
        }
    }

    /** Recomputes the trailing CRC32, so the corruption reaches the checks behind it. */
    public static void recrc(byte[] b) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).putInt(b.length - 4, (int) crc.getValue());
    }
}
