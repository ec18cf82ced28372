package io.vecml.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a shell completion script for vecml (bash or zsh).", "",
            "Prints a script that completes vecml's commands, subcommands and options; it is generated"
                + " from the same definitions as --help, so it is never out of date. zsh uses it through"
                + " bashcompinit, which the zsh script loads itself."},
        footer = {"", "Examples:",
            "  source <(vecml completion bash)          # this shell only",
            "  vecml completion bash > ~/.local/share/bash-completion/completions/vecml",
            "  vecml completion zsh > ~/.vecml-completion.zsh && echo 'source ~/.vecml-completion.zsh' >> ~/.zshrc"})
final class CompletionCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.")
    String shell;

    @Override
    public Integer call() {
        String script = AutoComplete.bash("vecml", spec.root().commandLine());
        PrintWriter out = spec.commandLine().getOut();
        switch (shell) {
            case "bash" -> out.print(script);
            case "zsh" -> {
                out.println("autoload -U +X compinit && compinit");
                out.println("autoload -U +X bashcompinit && bashcompinit");
                out.print(script);
            }
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "SHELL must be bash or zsh, not '" + shell + "'");
        }
        out.flush();
        return 0;
    }
}
