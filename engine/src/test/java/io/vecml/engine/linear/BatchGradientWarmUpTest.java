package io.vecml.engine.linear;

import static org.assertj.core.api.Assertions.assertThatCode;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.kernels.KernelSelection;
import org.junit.jupiter.api.Test;

class BatchGradientWarmUpTest {

    /*
     * The warm-up calls every kernel a long training run uses (the fused passes and the uint8
     * conversion that scoring uses afterwards) on a small problem of its own; a call with offsets
     * or sizes outside its buffers throws here instead of in the first long run of a user.
     */
    @Test
    void warmUpRunsEveryKernelOnItsOwnBuffers() {
        for (Dataset.Type type : Dataset.Type.values()) {
            assertThatCode(() -> BatchGradient.warmUp(KernelSelection.current().kernels(), type))
                    .as("%s", type).doesNotThrowAnyException();
        }
    }
}
