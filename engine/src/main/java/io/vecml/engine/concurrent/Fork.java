package io.vecml.engine.concurrent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The engine's one fork/join: {@code task(0) .. task(n-1)} with task 0 on the calling thread, the
 * others on helper threads, and a join that always waits for every task (they write into shared
 * outputs, so returning early after a failure would let them write on) and then rethrows the first
 * failure. Determinism is the callers' business: they give each task a fixed share of the work.
 *
 * <p>{@link #run} starts fresh threads, for work dispatched once per call (a search, a prediction);
 * a {@link Team} keeps its threads, for work dispatched thousands of times (one SGD batch, one GEMM).
 */
public final class Fork {

    private Fork() {
    }

    /** Runs {@code task(0..n-1)} on n threads (named {@code name-i}), task 0 on the caller, and waits for all. */
    public static void run(int n, String name, IntConsumer task) {
        if (n <= 1) {
            task.accept(0);
            return;
        }
        Throwable[] failure = new Throwable[n];
        List<Thread> started = new ArrayList<>(n - 1);
        for (int t = 1; t < n; t++) {
            int id = t;
            started.add(Thread.ofPlatform().name(name + "-" + t).start(() -> {
                try {
                    task.accept(id);
                } catch (Throwable e) {
                    failure[id] = e;
                }
            }));
        }
        try {
            task.accept(0);
        } catch (RuntimeException | Error e) {
            failure[0] = e;
        }
        boolean interrupted = false;
        for (Thread th : started) {
            while (true) {
                try {
                    th.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable first = null;
        for (Throwable f : failure) {
            if (f != null) {
                first = f;
                break;
            }
        }
        rethrow(first, name);
    }

    /**
     * Runs {@code body(from, to)} over up to {@code threads} contiguous, equal ranges of [0, n), each
     * at least {@code minSize} long (fewer ranges when n is small); the caller runs the first.
     */
    public static void ranges(int n, int threads, int minSize, String name, RangeTask body) {
        int parts = Math.max(1, Math.min(threads, n / Math.max(1, minSize)));
        run(parts, name, p -> body.run((int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)));
    }

    /** A contiguous range [from, to). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    static void rethrow(Throwable failure, String name) {
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException(name + " task failed", failure);
        }
    }

    /**
     * A fixed team of {@code size} threads, the caller included ({@code size - 1} helpers, started on
     * first use, daemon, ended after 10 idle seconds so an unused team keeps nothing alive).
     */
    public static final class Team implements AutoCloseable {
        private final int size;
        private final String name;
        private ThreadPoolExecutor pool;

        public Team(int size, String name) {
            if (size < 1) {
                throw new IllegalArgumentException("a team needs >= 1 thread, got " + size);
            }
            this.size = size;
            this.name = name;
        }

        public int size() {
            return size;
        }

        /** {@code task(0..size-1)}, task 0 on the caller; waits for all, rethrows the first failure. */
        public void run(IntConsumer task) {
            run(size, task);
        }

        /** {@code task(0..n-1)} for {@code n <= size}. */
        public void run(int n, IntConsumer task) {
            if (n > size) {
                throw new IllegalArgumentException(n + " tasks for a team of " + size);
            }
            if (n <= 1) {
                task.accept(0);
                return;
            }
            ThreadPoolExecutor p = pool();
            List<Future<?>> futures = new ArrayList<>(n - 1);
            for (int t = 1; t < n; t++) {
                int id = t;
                futures.add(p.submit(() -> task.accept(id)));
            }
            Throwable failure = null;
            try {
                task.accept(0);
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            boolean interrupted = false;
            for (Future<?> f : futures) {
                while (true) {
                    try {
                        f.get();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (ExecutionException e) {
                        failure = failure == null ? e.getCause() : failure;
                        break;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            rethrow(failure, name);
        }

        private synchronized ThreadPoolExecutor pool() {
            if (pool == null) {
                AtomicInteger id = new AtomicInteger();
                pool = new ThreadPoolExecutor(size - 1, size - 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, name + "-" + id.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
                pool.allowCoreThreadTimeOut(true);
            }
            return pool;
        }

        @Override
        public synchronized void close() {
            if (pool != null) {
                pool.shutdownNow();
                pool = null;
            }
        }
    }
}
