package io.vecml.cli;

import io.vecml.engine.PlatformInfo;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Show the JDK, the CPU and its SIMD width, and which kernels, GEMM and OpenBLAS are used.",
            "",
            "The JDK, the CPU features, the SIMD width, which kernel and GEMM implementations "
            + "were chosen and why, and the OpenBLAS library that was loaded (file, version, core, threads)."})
final class InfoCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() {
        PlatformInfo info = PlatformInfo.collect();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(info));
            out.flush();
            return 0;
        }
        out.printf("JDK          %s (%s) at %s%n", info.javaVersion(), info.javaVendor(), info.javaHome());
        out.printf("OS           %s, %s, %d CPUs%n", info.os(), info.arch(), info.cpus());
        out.printf("CPU          %s%n", info.cpuModel());
        StringBuilder flags = new StringBuilder();
        for (Map.Entry<String, Boolean> e : info.cpuFlags().entrySet()) {
            flags.append(e.getKey()).append(e.getValue() ? "+ " : "- ");
        }
        out.printf("CPU flags    %s%n", flags.toString().trim());
        out.printf("SIMD         %s%n", info.vectorBits() > 0
                ? info.vectorBits() + "-bit vectors (" + info.vectorBits() / 32 + " float lanes)" : "unavailable");
        out.printf("kernels      %s  (%s)%n", info.kernels(), info.kernelsReason());
        out.printf("GEMM         %s  (%s)%n", info.gemm(), info.gemmReason());
        out.printf("bf16 GEMM    %s  (%s)%n", info.bf16Gemm(), info.bf16Reason());
        PlatformInfo.OpenBlasInfo ob = info.openblas();
        if (ob.loaded()) {
            out.printf("OpenBLAS     %s, core %s, %d threads, %s%n", ob.version(), ob.coreName(), ob.threads(),
                    ob.tuned() ? "tuned" : "NOT a tuned build");
            out.printf("  core       %s: %s%n", ob.coreName(), ob.coreOrigin());
            out.printf("  file       %s (%s)%n", ob.path(), ob.source());
            out.printf("  config     %s%n", ob.config());
        } else {
            out.printf("OpenBLAS     not loaded%n");
        }
        for (String a : ob.attempts()) {
            out.printf("  lookup     %s%n", a);
        }
        out.flush();
        return 0;
    }
}
