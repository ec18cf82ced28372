package io.vecml.engine.linear;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/** Runs {@code task(0) .. task(n-1)} on n threads, task 0 on the caller, and waits for all. */
final class Parallel {

    private Parallel() {
    }

    static void run(int n, IntConsumer task) {
        if (n <= 1) {
            task.accept(0);
            return;
        }
        Throwable[] failure = new Throwable[n];
        List<Thread> started = new ArrayList<>(n - 1);
        for (int t = 1; t < n; t++) {
            int id = t;
            started.add(Thread.ofPlatform().name("vecml-linear-" + t).start(() -> {
                try {
                    task.accept(id);
                } catch (RuntimeException | Error e) {
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
        for (Throwable f : failure) {
            if (f instanceof RuntimeException re) {
                throw re;
            }
            if (f instanceof Error err) {
                throw err;
            }
        }
    }
}
