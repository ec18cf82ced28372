package io.vecml.cli;

import io.vecml.engine.data.SplitRng;
import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.gemm.JavaGemm;
import io.vecml.engine.gemm.OpenBlasGemm;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.kernels.Kernels;
import io.vecml.engine.kernels.ScalarKernels;
import io.vecml.engine.progress.ProgressListener;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What every section of {@code vecml demo} shares: the output folder and the files written into it, notes,
 * the model threads, the progress listener, and the single-thread implementations the speed-ups compare
 * (scalar and SIMD kernels, OpenBLAS and the Java GEMM, each on one thread).
 */
final class DemoRun {

    final Path dir;
    final int threads;
    final long splitSeed;
    /** The stream of seeded holdouts (--split-rng), also the regression's. */
    final SplitRng splitRng;
    final ProgressListener progress;
    final Map<String, String> files = new LinkedHashMap<>();
    final List<String> notes = new ArrayList<>();
    final Kernels scalar = ScalarKernels.INSTANCE;
    /** The SIMD kernels, or null when unavailable. */
    final Kernels simd;
    final Optional<Gemm> blas1;
    final Gemm java1 = new JavaGemm(1);

    DemoRun(Path dir, int threads, long splitSeed, SplitRng splitRng, ProgressListener progress) {
        this.dir = dir;
        this.threads = threads;
        this.splitSeed = splitSeed;
        this.splitRng = splitRng;
        this.progress = progress;
        KernelSelection kSel = KernelSelection.current();
        GemmSelection gSel = GemmSelection.current();
        simd = KernelSelection.available().stream().filter(k -> k.name().equals("simd")).findFirst().orElse(null);
        blas1 = gSel.blas().map(b -> (Gemm) new OpenBlasGemm(b, 1));
        if (simd == null) {
            notes.add("SIMD kernels unavailable (" + kSel.reason() + "): no SIMD speed-ups");
        }
        if (blas1.isEmpty()) {
            notes.add("OpenBLAS unavailable (" + gSel.reason() + "): no OpenBLAS speed-ups");
        }
    }

    /** The single-thread GEMMs: OpenBLAS (when loaded), then Java. */
    List<Gemm> gemms() {
        List<Gemm> g = new ArrayList<>();
        blas1.ifPresent(g::add);
        g.add(java1);
        return g;
    }

    /** Draws and writes a picture into the output folder (nothing without --out); data that are not images get a note. */
    void picture(String key, String file, Supplier<BufferedImage> draw) throws IOException {
        if (dir == null) {
            return;
        }
        BufferedImage img;
        try {
            img = draw.get();
        } catch (IllegalArgumentException e) {
            notes.add("no " + file + ": " + e.getMessage());
            return;
        }
        Pictures.writePng(img, dir.resolve(file));
        files.put(key, file);
    }
}
