package io.vecml.engine;

import io.vecml.engine.kernels.KernelSelection;

/**
 * The machine's float32 peak, estimated so that a measured GFLOP/s figure above it can be called a
 * measurement error: lanes (SIMD width / 32) x 2 flops per fused multiply-add x FMA units x clock,
 * per core. The clock is measured, not read: in a VM /proc/cpuinfo gives the nominal clock, and a
 * core under boost runs well above it. The probe times a chain of dependent integer operations (an
 * add and an xor per step, one cycle each on every x86 core of the last decade), so cycles =
 * 2 x steps whatever the pipeline width; the time is the thread's CPU time.
 *
 * @param ghz        measured clock of this core, GHz
 * @param lanes      float32 lanes of the SIMD kernels in use (1 for scalar)
 * @param fmaUnits   FMA units per core assumed (2 on every AVX2/AVX-512 x86 core vecml targets)
 * @param gflopsCore peak float32 GFLOP/s of one core
 */
public record Peak(double ghz, int lanes, int fmaUnits, double gflopsCore) {

    /** Figures above peak x this margin are flagged (the clock probe itself is good to a few per cent). */
    public static final double MARGIN = 1.10;

    private static volatile Peak cached;

    @SuppressWarnings("unused")
    private static volatile long sink;

    /** The estimate for this JVM (measured once, about 0.1 s). */
    public static Peak estimate() {
        Peak p = cached;
        if (p == null) {
            int bits = KernelSelection.current().vectorBits();
            int lanes = Math.max(1, bits / 32);
            double ghz = measureGhz();
            p = new Peak(ghz, lanes, 2, lanes * 2.0 * 2 * ghz);
            cached = p;
        }
        return p;
    }

    /** Peak GFLOP/s of {@code threads} cores. */
    public double gflops(int threads) {
        return gflopsCore * threads;
    }

    /** Whether {@code measured} GFLOP/s on {@code threads} threads is above what the cores can do. */
    public boolean impossible(double measured, int threads) {
        return measured > gflops(threads) * MARGIN;
    }

    static double measureGhz() {
        long steps = 20_000_000;
        chain(steps / 4, 0x9E3779B97F4A7C15L); // compile first: C2 keeps the chain, the interpreter is slower
        double best = 0;
        // Thread CPU time, not wall time: on a busy machine the thread is not always on a core.
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        boolean cpuTime = mx.isCurrentThreadCpuTimeSupported();
        for (int round = 0; round < 5; round++) {
            long t0 = cpuTime ? mx.getCurrentThreadCpuTime() : System.nanoTime();
            sink = chain(steps, t0);
            long ns = (cpuTime ? mx.getCurrentThreadCpuTime() : System.nanoTime()) - t0;
            best = Math.max(best, 2.0 * steps / ns);
        }
        return best;
    }

    /** {@code steps} dependent add-then-xor steps: 2 cycles each; the seed keeps it from folding. */
    private static long chain(long steps, long seed) {
        long x = seed;
        long y = seed * 31 + 7;
        for (long i = 0; i < steps; i++) {
            x = (x + y) ^ i;
        }
        return x;
    }
}
