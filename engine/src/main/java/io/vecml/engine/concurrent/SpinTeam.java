package io.vecml.engine.concurrent;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A team of {@code size} threads, the caller included, for work handed out thousands of times a
 * second (one SGD batch: two shards of ~60 us each). {@link Fork.Team} submits a task to a thread
 * pool and waits on a future, which parks and unparks a thread per call: measured on a 2-vCPU KVM
 * guest that cost ~90 us per batch at the Fashion-MNIST shape, about as much as the work it split.
 * Here the helpers spin ({@link Thread#onSpinWait}, then {@link Thread#yield}) for the next call for
 * up to {@link #SPIN_NANOS}, and the caller likewise for the helpers to finish; only an idle team
 * parks.
 *
 * <p>Which task runs where is fixed ({@code task(t)} on thread t, task 0 on the caller), as in
 * {@link Fork}; determinism stays the callers' business (a fixed share of work per task, results
 * combined in a fixed order). A call returns only after every task ended (their writes are then
 * visible to the caller: each helper's completion is a volatile decrement the caller reads), and
 * rethrows the first failure by task index. One caller at a time; not reentrant.
 */
public final class SpinTeam implements AutoCloseable {

    /** How long an idle thread waits before it parks: longer than one SGD step between batches. */
    static final long SPIN_NANOS = 200_000L;

    /**
     * After this long a waiting thread yields in its loop instead of only spinning: with as many
     * team threads as cores, pure spinning starved the JIT compiler threads (the kernels reached C2
     * an epoch later, 2-core machine).
     */
    static final long YIELD_AFTER_NANOS = 20_000L;

    private final int size;
    private final String name;
    private final Thread[] helpers;
    /** The current call, published by one volatile write (a new object per call). */
    private volatile Job job;
    private volatile boolean closed;
    private final AtomicInteger pending = new AtomicInteger();
    private final Throwable[] failures;
    private final boolean[] parked;
    private volatile Thread waiter;
    private boolean started;

    public SpinTeam(int size, String name) {
        if (size < 1) {
            throw new IllegalArgumentException("a team needs >= 1 thread, got " + size);
        }
        this.size = size;
        this.name = name;
        this.helpers = new Thread[size];
        this.failures = new Throwable[size];
        this.parked = new boolean[size];
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
        if (closed) {
            throw new IllegalStateException(name + ": the team is closed");
        }
        if (n <= 1) {
            task.accept(0);
            return;
        }
        start();
        pending.set(n - 1);
        waiter = Thread.currentThread();
        job = new Job(task, n);
        for (int t = 1; t < n; t++) {
            synchronized (parked) {
                if (parked[t]) {
                    LockSupport.unpark(helpers[t]);
                }
            }
        }
        Throwable failure = null;
        try {
            task.accept(0);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        long t0 = System.nanoTime();
        while (pending.get() != 0) {
            if (!backOff(t0)) {
                // The helper that ends last unparks the waiter; a spurious wake-up just loops.
                LockSupport.parkNanos(this, 1_000_000L);
            }
        }
        for (int t = 1; t < n; t++) {
            if (failure == null && failures[t] != null) {
                failure = failures[t];
            }
            failures[t] = null;
        }
        Fork.rethrow(failure, name);
    }

    private void start() {
        if (started) {
            return;
        }
        started = true;
        for (int t = 1; t < size; t++) {
            int id = t;
            Thread th = new Thread(() -> loop(id), name + "-" + t);
            th.setDaemon(true);
            helpers[t] = th;
            th.start();
        }
    }

    private void loop(int id) {
        Job seen = null;
        while (true) {
            long t0 = System.nanoTime();
            Job j;
            while ((j = job) == seen && !closed) {
                if (!backOff(t0)) {
                    synchronized (parked) {
                        parked[id] = true;
                    }
                    // Re-checked after the flag is up, so a call published meanwhile is not missed.
                    if (job == seen && !closed) {
                        LockSupport.park(this);
                    }
                    synchronized (parked) {
                        parked[id] = false;
                    }
                }
            }
            if (closed) {
                return;
            }
            seen = j;
            if (id < j.count()) {
                try {
                    j.task().accept(id);
                } catch (Throwable e) {
                    failures[id] = e;
                }
                if (pending.decrementAndGet() == 0) {
                    LockSupport.unpark(waiter);
                }
            }
        }
    }

    /**
     * One step of waiting that began at {@code t0}: a spin hint for {@link #YIELD_AFTER_NANOS}, then a
     * yield until {@link #SPIN_NANOS}; false (nothing done) once the waiter should park instead.
     */
    private static boolean backOff(long t0) {
        long waited = System.nanoTime() - t0;
        if (waited < YIELD_AFTER_NANOS) {
            Thread.onSpinWait();
        } else if (waited < SPIN_NANOS) {
            Thread.yield();
        } else {
            return false;
        }
        return true;
    }

    private record Job(IntConsumer task, int count) {
    }

    /** Ends the helpers (they are daemons, so a team never closed keeps no JVM alive either). */
    @Override
    public void close() {
        closed = true;
        for (Thread th : helpers) {
            if (th != null) {
                LockSupport.unpark(th);
            }
        }
    }
}
