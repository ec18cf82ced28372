package io.vecml.engine.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A fixed team of threads for one training run: {@link #run} executes task(0..n-1), task 0 on the
 * caller, and waits. Persistent threads, because a run dispatches once per batch (thousands of
 * times) and starting threads each time would cost more than a small batch's work.
 */
final class Workers implements AutoCloseable {

    private final int size;
    private final ExecutorService pool;
    private final List<Future<?>> futures = new ArrayList<>();

    Workers(int size) {
        this.size = size;
        AtomicInteger id = new AtomicInteger();
        this.pool = size <= 1 ? null : Executors.newFixedThreadPool(size - 1, r -> {
            Thread t = new Thread(r, "vecml-sgd-" + id.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    int size() {
        return size;
    }

    void run(IntConsumer task) {
        if (pool == null) {
            task.accept(0);
            return;
        }
        futures.clear();
        for (int t = 1; t < size; t++) {
            int id = t;
            futures.add(pool.submit(() -> task.accept(id)));
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
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException("SGD worker failed", failure);
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
