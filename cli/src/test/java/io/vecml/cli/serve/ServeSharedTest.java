package io.vecml.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The reference counting that keeps a dataset or model alive while a request uses it. */
class ServeSharedTest {

    static final class Counted extends Shared {
        final AtomicInteger frees = new AtomicInteger();

        @Override
        protected void free() {
            frees.incrementAndGet();
        }
    }

    @Test
    void retiredWhileInUseIsFreedByTheLastRelease() {
        Counted c = new Counted();
        assertThat(c.acquire()).isTrue();
        assertThat(c.acquire()).isTrue();
        c.retire();
        assertThat(c.freed()).isFalse();
        assertThat(c.acquire()).as("no new users once retired").isFalse();
        c.release();
        assertThat(c.frees.get()).isZero();
        c.release();
        assertThat(c.frees.get()).isEqualTo(1);
        c.retire();
        assertThat(c.frees.get()).as("freed exactly once").isEqualTo(1);
    }

    @Test
    void unusedIsFreedAtRetirementAndReleaseWithoutAcquireIsABug() {
        Counted c = new Counted();
        c.retire();
        assertThat(c.frees.get()).isEqualTo(1);
        assertThatThrownBy(c::release).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void leaseReleasesOnClose() {
        Counted c = new Counted();
        assertThat(c.acquire()).isTrue();
        try (Shared.Lease<Counted> l = new Shared.Lease<>(c)) {
            c.retire();
            assertThat(l.value().freed()).isFalse();
        }
        assertThat(c.frees.get()).isEqualTo(1);
    }
}
