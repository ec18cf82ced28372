package io.vecml.engine.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ForkTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7})
    void everyTaskRunsOnceAndTaskZeroOnTheCaller(int n) {
        AtomicIntegerArray runs = new AtomicIntegerArray(n);
        Thread caller = Thread.currentThread();
        Thread[] ran = new Thread[n];
        Fork.run(n, "t", i -> {
            runs.incrementAndGet(i);
            ran[i] = Thread.currentThread();
        });
        for (int i = 0; i < n; i++) {
            assertThat(runs.get(i)).isEqualTo(1);
        }
        assertThat(ran[0]).isSameAs(caller);
        for (int i = 1; i < n; i++) {
            assertThat(ran[i]).isNotSameAs(caller);
            assertThat(ran[i].getName()).isEqualTo("t-" + i);
        }
    }

    @Test
    void aFailureIsRethrownAfterEveryTaskHasEnded() {
        AtomicInteger finished = new AtomicInteger();
        assertThatThrownBy(() -> Fork.run(4, "t", i -> {
            if (i == 2) {
                throw new IllegalArgumentException("task 2 failed");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finished.incrementAndGet();
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("task 2 failed");
        assertThat(finished.get()).isEqualTo(3);
        assertThatThrownBy(() -> Fork.run(2, "t", i -> {
            if (i == 1) {
                throw new StackOverflowError("deep");
            }
        })).isInstanceOf(StackOverflowError.class);
    }

    @Test
    void rangesCoverEverythingOnceInEqualContiguousParts() {
        int n = 1000;
        AtomicIntegerArray hits = new AtomicIntegerArray(n);
        Set<Integer> starts = ConcurrentHashMap.newKeySet();
        Fork.ranges(n, 3, 64, "r", (from, to) -> {
            starts.add(from);
            for (int i = from; i < to; i++) {
                hits.incrementAndGet(i);
            }
        });
        for (int i = 0; i < n; i++) {
            assertThat(hits.get(i)).isEqualTo(1);
        }
        assertThat(starts).containsExactlyInAnyOrder(0, 333, 666);
        starts.clear();
        Fork.ranges(100, 8, 64, "r", (from, to) -> starts.add(from));
        assertThat(starts).containsExactly(0);
        Fork.ranges(0, 4, 1, "r", (from, to) -> assertThat(to).isEqualTo(from));
    }

    @Test
    void aTeamIsReusedAndReportsFailures() {
        try (Fork.Team team = new Fork.Team(3, "team")) {
            AtomicInteger total = new AtomicInteger();
            for (int round = 0; round < 100; round++) {
                team.run(i -> total.addAndGet(i + 1));
            }
            assertThat(total.get()).isEqualTo(100 * 6);
            team.run(2, i -> total.addAndGet(10));
            assertThat(total.get()).isEqualTo(620);
            assertThatThrownBy(() -> team.run(4, i -> { })).hasMessageContaining("4 tasks for a team of 3");
            assertThatThrownBy(() -> team.run(i -> {
                if (i == 1) {
                    throw new IllegalStateException("helper failed");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("helper failed");
            // still usable after a failure
            team.run(i -> total.incrementAndGet());
            assertThat(total.get()).isEqualTo(623);
        }
        assertThatThrownBy(() -> new Fork.Team(0, "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
