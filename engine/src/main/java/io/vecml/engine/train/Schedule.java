package io.vecml.engine.train;

/**
 * A learning-rate schedule: the rate of epoch {@code e} (0-based) from the base rate. The rate is
 * constant within an epoch.
 */
public sealed interface Schedule {

    /** The learning rate of epoch {@code epoch} (0-based). */
    double rate(double base, int epoch);

    /** The same rate every epoch. */
    record Constant() implements Schedule {
        @Override
        public double rate(double base, int epoch) {
            return base;
        }

        @Override
        public String toString() {
            return "constant";
        }
    }

    /** base * factor^floor(epoch / every): the rate drops by {@code factor} every {@code every} epochs. */
    record StepDecay(double factor, int every) implements Schedule {
        public StepDecay {
            if (!(factor > 0 && factor <= 1)) {
                throw new IllegalArgumentException("step decay factor must be in (0, 1], got " + factor);
            }
            if (every < 1) {
                throw new IllegalArgumentException("step decay interval must be >= 1 epoch, got " + every);
            }
        }

        @Override
        public double rate(double base, int epoch) {
            return base * Math.pow(factor, epoch / every);
        }

        @Override
        public String toString() {
            return "step(factor=" + factor + ", every=" + every + ")";
        }
    }

    /** base / (1 + decay * epoch). */
    record InverseTime(double decay) implements Schedule {
        public InverseTime {
            if (!(decay >= 0) || Double.isInfinite(decay)) {
                throw new IllegalArgumentException("inverse-time decay must be finite and >= 0, got " + decay);
            }
        }

        @Override
        public double rate(double base, int epoch) {
            return base / (1 + decay * epoch);
        }

        @Override
        public String toString() {
            return "inverse-time(decay=" + decay + ")";
        }
    }

    static Schedule constant() {
        return new Constant();
    }

    static Schedule step(double factor, int every) {
        return new StepDecay(factor, every);
    }

    static Schedule inverseTime(double decay) {
        return new InverseTime(decay);
    }
}
