package io.vecml.engine.knn;

import java.util.Arrays;

/**
 * The k smallest of a stream of {@code long} keys. kNN packs (distance, training index) into one
 * key, {@code distance << 31 | index} (distance a non-negative integer, or the bits of a
 * non-negative float, whose order is the float order), so comparing keys compares by distance
 * and then by index, and the selection is deterministic whatever the order of offers.
 *
 * <p>Small k keeps a sorted array and inserts by shifting; larger k a binary max-heap. Measured
 * ({@code TopKTiming}, streams of 60000 random keys, Zen 3): up to k = 128 both cost the same
 * 2-4 ns per offered key, within the noise, because almost every key is rejected by the one
 * compare against {@link #worst()} that callers make before {@link #offer}; at k = 1000 the heap
 * is 4-5x faster (8 against 38 ns). The switch sits at {@link #INSERTION_MAX_K}.
 */
final class TopK {

    /** Up to this k, sorted insertion; above it, a heap. */
    static final int INSERTION_MAX_K = 64;

    private final int k;
    private final long[] keys;
    private final boolean heap;
    private int size;
    private long worst = Long.MAX_VALUE;

    TopK(int k) {
        this(k, k > INSERTION_MAX_K);
    }

    TopK(int k, boolean heap) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        this.k = k;
        this.keys = new long[k];
        this.heap = heap;
    }

    /** Keys at or above this cannot enter (Long.MAX_VALUE until k keys are held). */
    long worst() {
        return worst;
    }

    int size() {
        return size;
    }

    void clear() {
        size = 0;
        worst = Long.MAX_VALUE;
    }

    /** Offers a key; equal keys are kept once per offer (callers never offer a key twice). */
    void offer(long key) {
        if (key >= worst) {
            return;
        }
        if (heap) {
            offerHeap(key);
        } else {
            offerSorted(key);
        }
    }

    private void offerSorted(long key) {
        int i = size < k ? size++ : k - 1;
        while (i > 0 && keys[i - 1] > key) {
            keys[i] = keys[i - 1];
            i--;
        }
        keys[i] = key;
        if (size == k) {
            worst = keys[k - 1];
        }
    }

    private void offerHeap(long key) {
        if (size < k) {
            int i = size++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (keys[p] >= key) {
                    break;
                }
                keys[i] = keys[p];
                i = p;
            }
            keys[i] = key;
        } else {
            // Replace the root (the largest) and sift down.
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= k) {
                    break;
                }
                if (c + 1 < k && keys[c + 1] > keys[c]) {
                    c++;
                }
                if (keys[c] <= key) {
                    break;
                }
                keys[i] = keys[c];
                i = c;
            }
            keys[i] = key;
        }
        if (size == k) {
            worst = keys[0];
        }
    }

    /** The held keys in ascending order into dst[off, off + size()); returns size(). */
    int sortedInto(long[] dst, int off) {
        System.arraycopy(keys, 0, dst, off, size);
        if (heap) {
            Arrays.sort(dst, off, off + size);
        }
        return size;
    }
}
