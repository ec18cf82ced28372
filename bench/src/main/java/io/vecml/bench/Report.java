package io.vecml.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns JMH JSON results ({@code -rf json}) into the Markdown tables of BENCHMARKS.md, with the
 * median of the measurement iterations and the ratios side by side.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.vecml.bench.Report results.json [more.json ...]</pre>
 */
public final class Report {

    private Report() {
    }

    record Row(String bench, String method, Map<String, String> params, double median, String unit) {
        String p(String name) {
            return params.getOrDefault(name, "");
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: Report results.json [more.json ...]");
            System.exit(2);
        }
        List<Row> rows = new ArrayList<>();
        ObjectMapper om = new ObjectMapper();
        for (String f : args) {
            for (JsonNode r : om.readTree(Path.of(f).toFile())) {
                String full = r.get("benchmark").asText();
                int dot = full.lastIndexOf('.');
                String cls = full.substring(full.lastIndexOf('.', dot - 1) + 1, dot);
                Map<String, String> params = new TreeMap<>();
                r.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
                JsonNode pm = r.get("primaryMetric");
                List<Double> raw = new ArrayList<>();
                for (JsonNode fork : pm.path("rawData")) {
                    for (JsonNode v : fork) {
                        raw.add(v.asDouble());
                    }
                }
                double med = raw.isEmpty() ? pm.get("score").asDouble() : median(raw);
                rows.add(new Row(cls, full.substring(dot + 1), params, med, pm.get("scoreUnit").asText()));
            }
        }
        StringBuilder out = new StringBuilder();
        kernels(rows, out);
        softmax(rows, out);
        gemm(rows, out);
        System.out.print(out);
    }

    static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static Double find(List<Row> rows, String bench, String method, Map<String, String> params) {
        for (Row r : rows) {
            if (r.bench.equals(bench) && r.method.equals(method) && r.params.entrySet().containsAll(params.entrySet())) {
                return r.median;
            }
        }
        return null;
    }

    private static void kernels(List<Row> rows, StringBuilder out) {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.bench.equals("KernelBench")) {
                keys.computeIfAbsent(r.method, x -> new ArrayList<>());
                if (!keys.get(r.method).contains(r.p("dim"))) {
                    keys.get(r.method).add(r.p("dim"));
                }
            }
        }
        if (keys.isEmpty()) {
            return;
        }
        out.append("| kernel | d | scalar ns | SIMD ns | SIMD / scalar | SIMD G elem/s |\n|---|---|---|---|---|---|\n");
        for (var e : keys.entrySet()) {
            List<String> dims = e.getValue();
            dims.sort((x, y) -> Integer.compare(Integer.parseInt(x), Integer.parseInt(y)));
            for (String d : dims) {
                Double s = find(rows, "KernelBench", e.getKey(), Map.of("impl", "scalar", "dim", d));
                Double v = find(rows, "KernelBench", e.getKey(), Map.of("impl", "simd", "dim", d));
                out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", e.getKey(), d, f(s, "%.1f"),
                        f(v, "%.1f"), s != null && v != null ? String.format(Locale.ROOT, "**%.1fx**", s / v) : "-",
                        v != null ? String.format(Locale.ROOT, "%.1f", Integer.parseInt(d) / v) : "-"));
            }
        }
        out.append('\n');
    }

    private static void softmax(List<Row> rows, StringBuilder out) {
        if (rows.stream().noneMatch(r -> r.bench.equals("SoftmaxBench"))) {
            return;
        }
        out.append("| softmax, 1000 samples x cols | layout | scalar us | SIMD us | SIMD / scalar | SIMD vs scalar row-major |\n")
                .append("|---|---|---|---|---|---|\n");
        for (String cols : new String[] {"10", "1000"}) {
            Double copy = find(rows, "SoftmaxBench", "copyOnly", Map.of("impl", "scalar", "cols", cols));
            Double scalarRow = find(rows, "SoftmaxBench", "rowMajor", Map.of("impl", "scalar", "cols", cols));
            for (String layout : new String[] {"rowMajor", "classMajor"}) {
                Double s = find(rows, "SoftmaxBench", layout, Map.of("impl", "scalar", "cols", cols));
                Double v = find(rows, "SoftmaxBench", layout, Map.of("impl", "simd", "cols", cols));
                if (s == null && v == null) {
                    continue;
                }
                // Subtract the restore copy, which every op includes, so ratios compare softmax alone.
                double c = copy == null ? 0 : copy;
                out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", cols, layout,
                        f(s == null ? null : s - c, "%.2f"), f(v == null ? null : v - c, "%.2f"),
                        s != null && v != null ? String.format(Locale.ROOT, "**%.1fx**", (s - c) / (v - c)) : "-",
                        scalarRow != null && v != null ? String.format(Locale.ROOT, "%.1fx", (scalarRow - c) / (v - c)) : "-"));
            }
        }
        if (rows.stream().anyMatch(r -> r.bench.equals("SoftmaxBench") && r.method.equals("copyOnly"))) {
            out.append("\n(times exclude the in-place restore copy measured by `copyOnly`)\n");
        }
        out.append('\n');
    }

    private static void gemm(List<Row> rows, StringBuilder out) {
        List<String[]> keys = new ArrayList<>();
        for (Row r : rows) {
            if (r.bench.equals("GemmBench")) {
                String[] k = {r.p("shape"), r.p("threads")};
                if (keys.stream().noneMatch(x -> Arrays.equals(x, k))) {
                    keys.add(k);
                }
            }
        }
        if (keys.isEmpty()) {
            return;
        }
        out.append("| GEMM m x n x k | threads | OpenBLAS ms | Java ms | OpenBLAS GFLOP/s | Java GFLOP/s | Java / OpenBLAS |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (String[] k : keys) {
            String[] p = k[0].replace("t", "").split("x");
            double flops = 2.0 * Double.parseDouble(p[0]) * Double.parseDouble(p[1]) * Double.parseDouble(p[2]);
            Double o = find(rows, "GemmBench", "sgemm", Map.of("impl", "openblas", "shape", k[0], "threads", k[1]));
            Double j = find(rows, "GemmBench", "sgemm", Map.of("impl", "java", "shape", k[0], "threads", k[1]));
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n",
                    k[0].endsWith("t") ? k[0].replace("t", "") + " (B^T)" : k[0], k[1], f(o, "%.1f"), f(j, "%.1f"),
                    o == null ? "-" : String.format(Locale.ROOT, "%.1f", flops / (o * 1e6)),
                    j == null ? "-" : String.format(Locale.ROOT, "%.1f", flops / (j * 1e6)),
                    o != null && j != null ? String.format(Locale.ROOT, "**%.0f%%**", 100 * o / j) : "-"));
        }
        out.append('\n');
    }

    private static String f(Double v, String fmt) {
        return v == null ? "-" : String.format(Locale.ROOT, fmt, v);
    }
}
