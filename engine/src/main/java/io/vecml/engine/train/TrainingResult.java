package io.vecml.engine.train;

import io.vecml.engine.linear.LinearClassifier;
import java.util.List;

/**
 * The outcome of {@link SgdTrainer#train}.
 *
 * @param model        the trained classifier (with early stopping: the best epoch's weights)
 * @param history      one entry per epoch run
 * @param bestEpoch    1-based epoch whose weights the model has (the last one without early stopping)
 * @param stoppedEarly whether early stopping ended training before the configured epochs
 */
public record TrainingResult(LinearClassifier model, List<EpochStats> history, int bestEpoch, boolean stoppedEarly) {

    public TrainingResult {
        history = List.copyOf(history);
    }
}
