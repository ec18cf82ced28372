package io.vecml.engine.knn;

import io.vecml.engine.kernels.Kernels;
import io.vecml.engine.kernels.SimdKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;

/**
 * Not a test: a hand-run harness for the tile kernels' throughput (G element-ops/s) in cache, one
 * thread. Run: java --add-modules jdk.incubator.vector -cp engine/target/classes:engine/target/test-classes
 * io.vecml.engine.knn.BlockKernelThroughput [d...]
 */
public final class BlockKernelThroughput {

    private BlockKernelThroughput() {
    }

    public static void main(String[] args) {
        int[] dims = args.length == 0 ? new int[] {784, 3072} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        Kernels k = SimdKernels.INSTANCE;
        Random rnd = new Random(1);
        for (int d : dims) {
            int nq = 16, nt = Math.max(16, (256 * 1024) / d);
            long stride = (d + 63) / 64 * 64;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment q = arena.allocate(nq * stride * 4, 64);
                MemorySegment t = arena.allocate(nt * stride * 4, 64);
                MemorySegment qf = arena.allocate(nq * stride * 4, 64);
                MemorySegment tf = arena.allocate(nt * stride * 4, 64);
                for (long i = 0; i < nq * stride; i++) {
                    q.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(256));
                    qf.setAtIndex(ValueLayout.JAVA_FLOAT, i, rnd.nextInt(256));
                }
                for (long i = 0; i < nt * stride; i++) {
                    t.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(256));
                    tf.setAtIndex(ValueLayout.JAVA_FLOAT, i, rnd.nextInt(256));
                }
                int[] out = new int[nq * nt];
                long[] outL = new long[nt];
                float[] outF = new float[nq * nt];
                double ops = (double) nq * nt * d;
                for (int rep = 0; rep < 7; rep++) {
                    long t0 = System.nanoTime();
                    int it = 0;
                    while (System.nanoTime() - t0 < 300_000_000L) {
                        k.l1U8Block(q, 0, stride, nq, t, 0, stride, nt, d, out, 0, nt);
                        it++;
                    }
                    double block = ops * it / (System.nanoTime() - t0);
                    t0 = System.nanoTime();
                    it = 0;
                    while (System.nanoTime() - t0 < 300_000_000L) {
                        for (int i = 0; i < nq; i++) {
                            k.l1U8Rows(q, i * stride, t, 0, stride, nt, d, outL, 0);
                        }
                        it++;
                    }
                    double rows = ops * it / (System.nanoTime() - t0);
                    t0 = System.nanoTime();
                    it = 0;
                    while (System.nanoTime() - t0 < 300_000_000L) {
                        k.l1F32Block(qf, 0, stride, nq, tf, 0, stride, nt, d, outF, 0, nt);
                        it++;
                    }
                    double fblock = ops * it / (System.nanoTime() - t0);
                    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
                    long a0 = mx.getCurrentThreadAllocatedBytes();
                    k.l1U8Block(q, 0, stride, nq, t, 0, stride, nt, d, out, 0, nt);
                    long a1 = mx.getCurrentThreadAllocatedBytes();
                    k.l1F32Block(qf, 0, stride, nq, tf, 0, stride, nt, d, outF, 0, nt);
                    long a2 = mx.getCurrentThreadAllocatedBytes();
                    System.out.printf("alloc u8 %d f32 %d bytes/call%n", a1 - a0, a2 - a1);
                    System.out.printf("d=%d  l1U8Block %.1f  l1U8Rows %.1f  l1F32Block %.1f  G elem/s%n", d, block, rows, fblock);
                }
            }
        }
    }
}
