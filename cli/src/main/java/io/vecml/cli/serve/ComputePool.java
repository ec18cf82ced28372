package io.vecml.cli.serve;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The platform threads that run the computing part of a prediction (the model's search and vote), one task
 * at a time each, in the order the requests asked (a FIFO queue).
 *
 * <p>Why not on the request's own thread: requests are handled on virtual threads, and the JDK schedules
 * virtual threads on a few carrier threads (one per core) without preempting them. A search that computes
 * for milliseconds keeps its carrier for that long, so with as many searches as cores in progress no carrier
 * is left for the requests that have just arrived, and the scheduler does not serve waiting virtual threads
 * in arrival order: under 8 concurrent clients some requests waited hundreds of milliseconds before they were
 * even read (BENCHMARKS.md, "`vecml serve` as an evaluation backend"). Here the carriers only read requests
 * and write answers; the computation waits in one FIFO queue for one of {@code size} threads, and the
 * operating system shares the cores among those threads and the carriers.
 */
final class ComputePool implements AutoCloseable {

    private final ThreadPoolExecutor pool;

    /** A pool of {@code size} threads (started on first use, ended after 30 idle seconds). */
    ComputePool(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a compute pool needs >= 1 thread, got " + size);
        }
        AtomicInteger id = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "vecml-serve-compute-" + id.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    /** Threads of the pool. */
    int size() {
        return pool.getMaximumPoolSize();
    }

    /** Tasks waiting for a thread (tests). */
    int queued() {
        return pool.getQueue().size();
    }

    /**
     * Runs {@code task} on a pool thread and returns its result (or throws what it threw). The caller waits until
     * the task has ended, also when interrupted (the task uses the caller's model and data, which must stay
     * alive until then); an interrupt is kept for the caller to see afterwards.
     */
    <T> T call(Supplier<T> task) {
        Future<T> f = pool.submit(task::get);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException re) {
                        throw re;
                    }
                    if (c instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(c);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
