package io.vecml.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vecml.engine.kernels.KernelSelection;
import org.junit.jupiter.api.Test;

class PeakTest {

    @Test
    void theMeasuredClockIsAPlausibleCpuClock() {
        Peak p = Peak.estimate();
        // Any x86 core of the last decade runs between 1 and 6 GHz; a broken probe (folded chain, timer
        // in the wrong unit) lands far outside.
        assertThat(p.ghz()).isBetween(0.8, 6.5);
        assertThat(p.lanes()).isEqualTo(Math.max(1, KernelSelection.current().vectorBits() / 32));
        assertThat(p.gflopsCore()).isEqualTo(p.lanes() * 2.0 * p.fmaUnits() * p.ghz());
    }

    @Test
    void figuresAbovePeakAreImpossible() {
        Peak p = new Peak(3.0, 8, 2, 96.0);
        assertThat(p.impossible(100, 1)).isFalse();  // within the margin
        assertThat(p.impossible(139.9, 1)).isTrue();
        assertThat(p.impossible(139.9, 2)).isFalse();
        assertThat(p.gflops(2)).isEqualTo(192.0);
    }
}
