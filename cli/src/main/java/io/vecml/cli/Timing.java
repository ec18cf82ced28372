package io.vecml.cli;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Wall-clock timing with an honest warm-up, for the demo and {@code vecml bench}: the work is run in
 * rounds of a few runs; each round's median is compared with the previous round's. The first median
 * within {@link #TOLERANCE} of the one before it, once the work has run for a minimum time and no JIT
 * compilation finished during the round and none is running or queued at its end, is reported as the
 * warm median. (Stable medians alone are
 * not enough: Vector API code runs at a steady, very slow speed in the interpreter and C1 until C2
 * has compiled it, which takes a few hundred milliseconds on a busy machine.) A cap on rounds and on
 * seconds bounds the cost; a result that hit the cap says so ({@code converged} false), and work
 * slower than the time cap runs once.
 *
 * <p>Not a benchmark harness: no forking, no blackhole (results go to a volatile field, which keeps
 * the work alive but does not stop every optimisation), few iterations.
 */
final class Timing {

    /** No cap on rounds: only the budget's seconds bound the measurement. */
    static final int UNLIMITED = Integer.MAX_VALUE;

    /** Two consecutive round medians within this relative distance count as warm. */
    static final double TOLERANCE = 0.10;

    /** Keeps results alive so the JIT cannot drop the work. */
    @SuppressWarnings("unused")
    private static volatile Object sink;

    private Timing() {
    }

    /**
     * @param millis       the reported median of one run, in ms
     * @param warmupRounds rounds run before the reported one
     * @param runs         all runs, warm-up included
     * @param converged    whether two consecutive round medians agreed within {@link #TOLERANCE}
     * @param bytesPerRun  heap bytes the reported round allocated per run (-1: the JVM does not say)
     */
    record Result(double millis, int warmupRounds, int runs, boolean converged, long bytesPerRun) {
        String describe() {
            return converged ? String.format(java.util.Locale.ROOT, "warm median after %d warm-up round%s", warmupRounds,
                    warmupRounds == 1 ? "" : "s")
                    : runs == 1 ? "one run (includes JIT warm-up)"
                    : String.format(java.util.Locale.ROOT, "median of the last round after %d rounds (did not settle"
                            + " within %.0f%%)", warmupRounds + 1, TOLERANCE * 100);
        }
    }

    /** Limits of one measurement: no result counts as warm before {@code minSeconds}. */
    record Budget(int runsPerRound, int maxRounds, double minSeconds, double maxSeconds) {
        Budget {
            if (runsPerRound < 1 || maxRounds < 2 || !(minSeconds >= 0) || !(maxSeconds > minSeconds)) {
                throw new IllegalArgumentException("bad timing budget " + runsPerRound + "/" + maxRounds + "/"
                        + minSeconds + "/" + maxSeconds);
            }
        }
    }

    private static final java.lang.management.CompilationMXBean JIT =
            java.lang.management.ManagementFactory.getCompilationMXBean();

    /** Total JIT compilation time so far in ms, or -1 when the JVM does not say. */
    private static long jitMillis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : -1;
    }

    /**
     * Whether the JIT has nothing compiling or queued (jcmd's Compiler.queue through the
     * DiagnosticCommand MBean): a round whose times look stable while the C2 compilation of the hot
     * method still waits in the queue is interpreter speed, not the code's (seen on a busy 2-core
     * machine: SIMD "0.07x" scalar). True when the JVM cannot say.
     */
    static boolean compilerIdle() {
        try {
            Object out = java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerQueue",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            return !(out instanceof String s) || !s.contains("::");
        } catch (javax.management.JMException | RuntimeException e) {
            return true;
        }
    }

    static Result measure(Supplier<?> work, Budget b) {
        return measure(work, b, Long.MAX_VALUE);
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                    && t.isThreadAllocatedMemorySupported() ? t : null;

    /** Bytes allocated by this thread so far, or -1 when the JVM does not say. */
    private static long allocated() {
        return THREADS == null ? -1 : THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * As {@link #measure(Supplier, Budget)}, and a round counts as warm only when its runs allocated at most
     * {@code maxBytesPerRun} each (on average). Vector API code that C2 has not compiled into SIMD
     * instructions (interpreted, C1, or C2 that failed to intrinsify) boxes every vector: it allocates on
     * every operation and can look steady and JIT-quiet for seconds at ~1000x its speed (seen: a settled
     * SIMD/scalar "0.0x"). Compiled kernels allocate nothing.
     */
    static Result measure(Supplier<?> work, Budget b, long maxBytesPerRun) {
        long start = System.nanoTime();
        long cap = start + (long) (b.maxSeconds() * 1e9);
        long min = start + (long) (b.minSeconds() * 1e9);
        double previous = Double.NaN;
        int runs = 0;
        for (int round = 0; ; round++) {
            long jit = jitMillis();
            double[] t = new double[b.runsPerRound()];
            int n = 0;
            long alloc0 = allocated();
            while (n < t.length) {
                long t0 = System.nanoTime();
                sink = work.get();
                long t1 = System.nanoTime();
                t[n++] = (t1 - t0) / 1e6;
                runs++;
                if (t1 > cap) {
                    break;
                }
            }
            double median = median(Arrays.copyOf(t, n));
            long alloc1 = allocated();
            boolean jitQuiet = jitMillis() == jit && compilerIdle();
            long bytes = alloc0 < 0 || alloc1 < 0 ? -1 : (alloc1 - alloc0) / n;
            boolean unboxed = bytes < 0 || bytes <= maxBytesPerRun;
            if (!Double.isNaN(previous) && Math.abs(median - previous) <= TOLERANCE * previous && jitQuiet
                    && unboxed && System.nanoTime() >= min) {
                return new Result(median, round, runs, true, bytes);
            }
            if (round + 1 >= b.maxRounds() || System.nanoTime() > cap) {
                return new Result(median, round, runs, false, bytes);
            }
            previous = median;
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
