package io.vecml.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ComputePoolTest {

    @Test
    void aVirtualThreadsTaskRunsOnAPlatformThreadOfThePool() throws Exception {
        try (ComputePool pool = new ComputePool(2)) {
            AtomicReference<Thread> ran = new AtomicReference<>();
            Thread caller = Thread.ofVirtual().start(() -> ran.set(pool.call(Thread::currentThread)));
            caller.join();
            assertThat(ran.get()).isNotNull().isNotSameAs(caller);
            assertThat(ran.get().isVirtual()).isFalse();
            assertThat(ran.get().getName()).startsWith("vecml-serve-compute-");
            assertThat(pool.size()).isEqualTo(2);
        }
    }

    @Test
    void tasksRunInTheOrderTheyWereAskedFor() throws Exception {
        try (ComputePool pool = new ComputePool(1)) {
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch blocking = new CountDownLatch(1);
            Thread first = Thread.ofVirtual().start(() -> pool.call(() -> {
                blocking.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 0;
            }));
            assertThat(blocking.await(30, TimeUnit.SECONDS)).isTrue();
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int id = i;
                callers.add(Thread.ofVirtual().start(() -> pool.call(() -> order.add(id))));
                // the next caller asks only once this one waits in the queue
                while (pool.queued() < i + 1) {
                    Thread.sleep(1);
                }
            }
            gate.countDown();
            first.join();
            for (Thread t : callers) {
                t.join();
            }
            assertThat(order).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        }
    }

    @Test
    void whatTheTaskThrowsReachesTheCaller() {
        try (ComputePool pool = new ComputePool(1)) {
            IllegalArgumentException bad = new IllegalArgumentException("k must be in 1..10");
            assertThatThrownBy(() -> pool.call(() -> {
                throw bad;
            })).isSameAs(bad);
            AssertionError err = new AssertionError("boom");
            assertThatThrownBy(() -> pool.call(() -> {
                throw err;
            })).isSameAs(err);
            // the pool still works afterwards
            assertThat(pool.call(() -> 42)).isEqualTo(42);
        }
    }

    @Test
    void anInterruptedCallerWaitsForItsTaskAndKeepsTheInterrupt() throws Exception {
        try (ComputePool pool = new ComputePool(1)) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch gate = new CountDownLatch(1);
            AtomicBoolean taskEnded = new AtomicBoolean();
            AtomicBoolean endedBeforeReturn = new AtomicBoolean();
            AtomicBoolean interruptKept = new AtomicBoolean();
            Thread caller = Thread.ofVirtual().start(() -> {
                pool.call(() -> {
                    started.countDown();
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    taskEnded.set(true);
                    return null;
                });
                endedBeforeReturn.set(taskEnded.get());
                interruptKept.set(Thread.currentThread().isInterrupted());
            });
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            caller.interrupt();
            // the caller must still be waiting: its task has not ended
            caller.join(200);
            assertThat(caller.isAlive()).isTrue();
            gate.countDown();
            caller.join();
            assertThat(endedBeforeReturn.get()).isTrue();
            assertThat(interruptKept.get()).isTrue();
        }
    }
}
