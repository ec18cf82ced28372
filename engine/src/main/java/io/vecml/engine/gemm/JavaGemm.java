package io.vecml.engine.gemm;

import io.vecml.engine.concurrent.Fork;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

import static io.vecml.engine.gemm.JavaGemmKernel.MR;
import static io.vecml.engine.gemm.JavaGemmKernel.NR;

/**
 * Pure-Java SGEMM with the Goto/BLIS structure: op(B) is packed a {@code KC x NC} block at a
 * time, op(A) a {@code MC x KC} block at a time, and a register-blocked SIMD micro-kernel
 * ({@link JavaGemmKernel}) computes {@code MR x NR} tiles of C from the packed micro-panels.
 *
 * <p>Threads split the output into independent column (or row) ranges; k is never split, and the
 * k blocking does not depend on the thread count, so every element of C is computed by the same
 * sequence of float operations whatever {@link #threads()} is: results are bit-identical.
 *
 * <p>Segments confined to the calling thread ({@code Arena.ofConfined()}) cannot be read by
 * worker threads; such a call runs on the calling thread alone (same results, one core).
 */
public final class JavaGemm implements Gemm {

    /*
     * Block sizes, measured on Zen 3 (32 KB L1d, 512 KB L2 per core, 32 MB shared L3) with the
     * 6 x 16 kernel; the machine was shared, so only differences above ~10% were taken seriously.
     * KC = 512: every k block ends with a read-modify-write of each C tile (through the tile array,
     * plus cache and TLB misses when C is large, as in the kNN shape), so a longer k block
     * amortises it over more FMAs. KC = 256, the textbook "B micro-panel stays in L1" choice,
     * was consistently ~10% slower; 512..1024 were equal, and 512 keeps the A block at
     * MC x KC = 240 KB, half of L2.
     * MC = 120 (a multiple of MR so only a block's last panel is partial): 48..120 measured equal.
     * NC = 2048 (a multiple of NR): the packed B block, KC x NC = 4 MB, lives in L3, leaving room
     * for a second thread's block; 1024..8192 measured equal.
     */
    static final int KC = 512;
    static final int MC = 20 * MR;
    static final int NC = 128 * NR;

    /** Below this many multiply-adds a second thread costs more than it saves. */
    private static final long PARALLEL_MIN_FMAS = 1L << 21;

    /** Never started: only asked whether a segment may be read from a thread other than its owner. */
    private static final Thread OTHER_THREAD = new Thread(() -> { }, "vecml-gemm-probe");

    private final int threads;
    private final Object poolLock = new Object();
    private Fork.Team team;

    public JavaGemm(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("JavaGemm: threads must be >= 1, got " + threads);
        }
        this.threads = threads;
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public String toString() {
        return "JavaGemm[threads=" + threads + ", MR=" + MR + ", NR=" + NR + ", KC=" + KC + ", MC=" + MC
                + ", NC=" + NC + "]";
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      MemorySegment a, long aOff, int lda,
                      MemorySegment b, long bOff, int ldb,
                      float beta, MemorySegment c, long cOff, int ldc) {
        JavaGemmChecks.check(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            // As BLAS: A and B are not read, so NaN in them does not reach C.
            JavaGemmKernel.scale(c, cOff, ldc, m, n, beta);
            return;
        }
        Call call = new Call(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);

        int par = threads;
        if ((long) m * n * k < PARALLEL_MIN_FMAS
                || !a.isAccessibleBy(OTHER_THREAD) || !b.isAccessibleBy(OTHER_THREAD)
                || !c.isAccessibleBy(OTHER_THREAD)) {
            par = 1;
        }
        call.plan(par);
        int tasks = call.mParts * call.nParts;
        int workers = Math.min(par, tasks);
        if (workers <= 1) {
            call.work();
            return;
        }
        // Workers write into C: the team waits for all of them before returning, even after a failure.
        team().run(workers, w -> call.work());
    }

    private Fork.Team team() {
        synchronized (poolLock) {
            if (team == null) {
                // The caller computes a share too: threads - 1 helpers, idle-timed (see Fork.Team).
                team = new Fork.Team(threads, "vecml-gemm");
            }
            return team;
        }
    }

    /** One sgemm call: its operands, its partition into tasks and the shared task counter. */
    private static final class Call {
        final boolean transA, transB;
        final int m, n, k;
        final float alpha, beta;
        final MemorySegment a, b, c;
        final long aOff, bOff, cOff, lda, ldb, ldc;
        int mParts, nParts, rowsPerPart, colsPerPart;
        final AtomicInteger next = new AtomicInteger();

        Call(boolean transA, boolean transB, int m, int n, int k, float alpha,
             MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
             float beta, MemorySegment c, long cOff, int ldc) {
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.n = n;
            this.k = k;
            this.alpha = alpha;
            this.beta = beta;
            this.a = a;
            this.b = b;
            this.c = c;
            this.aOff = aOff;
            this.bOff = bOff;
            this.cOff = cOff;
            this.lda = lda;
            this.ldb = ldb;
            this.ldc = ldc;
        }

        /*
         * Split the larger output dimension. Column parts each pack their own B block and share A
         * (read-only), row parts the other way round; either way no two tasks write the same C
         * element and none splits k. The number of parts is a multiple of the thread count so the
         * threads get equal shares.
         */
        void plan(int par) {
            int tilesM = ceilDiv(m, MR);
            int tilesN = ceilDiv(n, NR);
            int nBlocks = ceilDiv(n, NC);
            mParts = 1;
            nParts = nBlocks;
            if (par > 1) {
                if (tilesN >= tilesM || tilesN >= 4 * par) {
                    nParts = Math.min(tilesN, roundUp(nBlocks, par));
                } else {
                    mParts = Math.min(tilesM, par);
                }
            }
            colsPerPart = roundUp(ceilDiv(n, nParts), NR);
            nParts = ceilDiv(n, colsPerPart);
            rowsPerPart = roundUp(ceilDiv(m, mParts), MR);
            mParts = ceilDiv(m, rowsPerPart);
        }

        void work() {
            int tasks = mParts * nParts;
            float[] ap = null, bp = null, scratch = null;
            float[] tile = new float[MR * NR];
            int t;
            while ((t = next.getAndIncrement()) < tasks) {
                int i0 = (t / nParts) * rowsPerPart;
                int j0 = (t % nParts) * colsPerPart;
                int i1 = Math.min(m, i0 + rowsPerPart);
                int j1 = Math.min(n, j0 + colsPerPart);
                if (ap == null) {
                    int kc = Math.min(KC, k);
                    ap = new float[roundUp(Math.min(MC, rowsPerPart), MR) * kc];
                    bp = new float[roundUp(Math.min(NC, colsPerPart), NR) * kc];
                    scratch = new float[JavaGemmKernel.scratchSize(kc, Math.min(MC, rowsPerPart))];
                }
                block(i0, i1, j0, j1, ap, bp, scratch, tile);
            }
        }

        /** C[i0:i1, j0:j1] for all of k, loop order jc, pc, ic, jr, ir. */
        private void block(int i0, int i1, int j0, int j1, float[] ap, float[] bp, float[] scratch, float[] tile) {
            int firstMode = beta == 0f ? JavaGemmKernel.MODE_ZERO : JavaGemmKernel.MODE_BETA;
            for (int jc = j0; jc < j1; jc += NC) {
                int nc = Math.min(NC, j1 - jc);
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    int mode = pc == 0 ? firstMode : JavaGemmKernel.MODE_ADD;
                    JavaGemmKernel.packB(transB, b, bOff, ldb, jc, nc, pc, kc, bp, scratch);
                    for (int ic = i0; ic < i1; ic += MC) {
                        int mc = Math.min(MC, i1 - ic);
                        JavaGemmKernel.packA(transA, a, aOff, lda, ic, mc, pc, kc, ap, scratch);
                        // jr outside ir: one B micro-panel stays in L1 while the A panels stream from L2.
                        for (int jr = 0; jr < nc; jr += NR) {
                            int cols = Math.min(NR, nc - jr);
                            int bi = jr * kc;
                            for (int ir = 0; ir < mc; ir += MR) {
                                int rows = Math.min(MR, mc - ir);
                                long cIdx = cOff + (long) (ic + ir) * ldc + jc + jr;
                                JavaGemmKernel.kernel(kc, ap, ir * kc, bp, bi, c, cIdx, ldc, rows, cols,
                                        alpha, beta, mode, tile);
                            }
                        }
                    }
                }
            }
        }
    }

    private static int ceilDiv(int x, int y) {
        return Math.ceilDiv(x, y);
    }

    private static int roundUp(int x, int y) {
        return ceilDiv(x, y) * y;
    }
}
