package io.vecml.engine.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SpinTeamTest {

    /*
     * Each call's tasks write plain (non-volatile) slots that the caller reads right after run
     * returns: a hand-off that returned before a helper ended, or ran a task twice or for the
     * wrong call, shows up as a wrong sum. Calls alternate with pauses longer than the spin so
     * that the parked path is taken too.
     */
    @Test
    void everyCallRunsEachTaskOnceAndItsWritesAreVisibleToTheCaller() throws InterruptedException {
        int size = 3;
        long[] slot = new long[size];
        Thread[] ran = new Thread[size];
        try (SpinTeam team = new SpinTeam(size, "spin")) {
            for (int call = 1; call <= 4_000; call++) {
                long c = call;
                team.run(t -> {
                    slot[t] += c * (t + 1);
                    ran[t] = Thread.currentThread();
                });
                if (call % 1_000 == 0) {
                    Thread.sleep(2 * SpinTeam.SPIN_NANOS / 1_000_000 + 1);
                }
            }
            long sum = 4_000L * 4_001 / 2;
            for (int t = 0; t < size; t++) {
                assertThat(slot[t]).isEqualTo(sum * (t + 1));
            }
            assertThat(ran[0]).isSameAs(Thread.currentThread());
            assertThat(ran[1].getName()).isEqualTo("spin-1");
            assertThat(ran[2].getName()).isEqualTo("spin-2");
            // fewer tasks than threads: the idle helper runs nothing
            AtomicInteger runs = new AtomicInteger();
            for (int call = 0; call < 1000; call++) {
                team.run(2, t -> runs.incrementAndGet());
                team.run(t -> runs.incrementAndGet());
            }
            assertThat(runs.get()).isEqualTo(1000 * 5);
        }
    }

    @Test
    void failuresAreRethrownAfterEveryTaskEndedAndTheTeamStaysUsable() {
        try (SpinTeam team = new SpinTeam(3, "spin")) {
            AtomicInteger finished = new AtomicInteger();
            assertThatThrownBy(() -> team.run(t -> {
                if (t == 2) {
                    throw new IllegalStateException("helper failed");
                }
                finished.incrementAndGet();
            })).isInstanceOf(IllegalStateException.class).hasMessage("helper failed");
            assertThat(finished.get()).isEqualTo(2);
            assertThatThrownBy(() -> team.run(t -> {
                if (t == 0) {
                    throw new IllegalArgumentException("caller failed");
                }
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("caller failed");
            assertThatThrownBy(() -> team.run(4, t -> { })).hasMessageContaining("4 tasks for a team of 3");
            AtomicInteger total = new AtomicInteger();
            team.run(t -> total.addAndGet(t + 1));
            assertThat(total.get()).isEqualTo(6);
        }
        assertThatThrownBy(() -> new SpinTeam(0, "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
