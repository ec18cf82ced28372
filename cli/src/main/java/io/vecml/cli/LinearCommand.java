package io.vecml.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vecml linear}: train, evaluate and apply linear classifiers (one class per subcommand). */
@Command(name = "linear", mixinStandardHelpOptions = true,
        description = {"Linear classifiers (SVM, softmax): train, eval, predict, gradcheck.",
            "",
            "scores = W x + b (bias trick), multiclass SVM or softmax loss, L2, L1 or "
            + "elastic-net penalty, minibatch SGD on GEMM."},
        subcommands = {LinearTrainCommand.class, LinearEvalCommand.class, LinearPredictCommand.class,
            LinearGradCheckCommand.class})
final class LinearCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return Main.missingSubcommand(spec);
    }
}
