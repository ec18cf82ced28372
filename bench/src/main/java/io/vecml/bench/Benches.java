package io.vecml.bench;

import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;

/** Shared helpers of the benchmarks: picking implementations by name, agreement checks. */
final class Benches {

    private Benches() {
    }

    static Kernels kernels(String name) {
        return KernelSelection.available().stream().filter(k -> k.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("kernel implementation '" + name
                        + "' is not available in this JVM (is --add-modules jdk.incubator.vector set?)"));
    }

    static void checkEqual(String what, long got, long want) {
        if (got != want) {
            throw new IllegalStateException(what + ": " + got + " != reference " + want);
        }
    }

    static void checkClose(String what, double got, double want, int n) {
        double tol = 1e-5 * Math.max(1, n) * Math.max(1, Math.abs(want)) / Math.sqrt(Math.max(1, n));
        if (!(Math.abs(got - want) <= tol)) {
            throw new IllegalStateException(what + ": " + got + " differs from reference " + want + " by more than " + tol);
        }
    }
}
