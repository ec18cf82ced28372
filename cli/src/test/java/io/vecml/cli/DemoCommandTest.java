package io.vecml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {

    @TempDir
    Path tmp;

    @Test
    void writesAReportWithEverySectionAndExistingPictures() throws Exception {
        Path dir = tmp.resolve("report");
        CliTest.Run r = CliTest.run("demo", "--repeats", "1", "--out", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("kNN L1", "kNN L2", "template L1", "template L2", "linear svm",
                "linear softmax", "least squares", "SIMD uint8", "report written to");

        String md = Files.readString(dir.resolve("report.md"));
        for (String s : DemoReport.SECTIONS) {
            assertThat(md).contains("\n## " + s + "\n");
        }
        List<String> links = new ArrayList<>();
        Matcher m = Pattern.compile("!\\[[^\\]]*\\]\\(([^)]+)\\)").matcher(md);
        while (m.find()) {
            links.add(m.group(1));
        }
        assertThat(links).contains("samples.png", "templates.png", "weights-svm.png", "weights-softmax.png",
                "loss-curves.png", "confusion-knn.png", "confusion-template.png", "confusion-softmax.png",
                "accuracy-vs-k.png", "regression.png");
        for (String link : links) {
            assertThat(link).doesNotContain("/").endsWith(".png"); // relative, beside report.md
            Path png = dir.resolve(link);
            assertThat(png).exists();
            assertThat(ImageIO.read(png.toFile())).as(link).isNotNull();
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }

        JsonNode n = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        for (String s : DemoReport.JSON_SECTIONS) {
            assertThat(n.has(s)).as(s).isTrue();
            assertThat(n.get(s).isNull()).as(s).isFalse();
        }
        assertThat(n.get("allAgree").asBoolean()).isTrue();
        assertThat(n.get("data").get("trainRows").asInt()).isEqualTo(1438);
        assertThat(n.get("data").get("testRows").asInt()).isEqualTo(359);
        JsonNode knn = n.get("knn");
        assertThat(knn.get("grid").size()).isEqualTo(2 * 30); // --k 1..30 by default, as grid knn
        assertThat(knn.get("metrics").size()).isEqualTo(2);
        for (JsonNode km : knn.get("metrics")) {
            assertThat(km.get("k").asInt()).isBetween(1, 30);
            assertThat(km.get("testAccuracy").asDouble()).isBetween(0.95, 1.0);
            assertThat(km.get("speedUps").size()).isGreaterThanOrEqualTo(1);
            for (JsonNode s : km.get("speedUps")) {
                // a ratio is a positive number, or null: not measured (did not settle)
                assertThat(s.get("speedUp").isNull() || s.get("speedUp").asDouble() > 0).as(s.toString()).isTrue();
            }
        }
        // the best k of each metric is the best-ranked grid row of that metric
        for (JsonNode km : knn.get("metrics")) {
            int bestRank = Integer.MAX_VALUE;
            int bestK = -1;
            for (JsonNode g : knn.get("grid")) {
                if (g.get("metric").asText().equals(km.get("metric").asText()) && g.get("rank").asInt() < bestRank) {
                    bestRank = g.get("rank").asInt();
                    bestK = g.get("k").asInt();
                }
            }
            assertThat(km.get("k").asInt()).isEqualTo(bestK);
        }
        assertThat(n.get("template").get("metrics").get(0).get("accuracy").asDouble()).isBetween(0.85, 1.0);
        assertThat(n.get("linear").size()).isEqualTo(2);
        assertThat(n.get("linear").get(0).get("loss").asText()).isEqualTo("svm");
        assertThat(n.get("linear").get(1).get("loss").asText()).isEqualTo("softmax");
        for (JsonNode l : n.get("linear")) {
            assertThat(l.get("testAccuracy").asDouble()).isBetween(0.85, 1.0);
            assertThat(l.get("lossPerEpoch").size()).isEqualTo(l.get("epochs").asInt());
        }
        JsonNode reg = n.get("regression");
        assertThat(reg.get("trainRows").asInt() + reg.get("testRows").asInt()).isEqualTo(25);
        assertThat(reg.get("slope").asDouble()).isBetween(9.0, 10.5); // about 9.8 points per hour of study
        assertThat(n.get("files").get("samples").asText()).isEqualTo("samples.png");
    }

    @Test
    void jsonGoesToStdoutAndNoFilesWithoutOut() throws Exception {
        CliTest.Run r = CliTest.run("demo", "--repeats", "1", "--json", "--k", "1..3", "--folds", "3");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertThat(n.get("files").size()).isZero();
        assertThat(n.get("knn").get("grid").size()).isEqualTo(2 * 3);
        assertThat(n.get("knn").get("folds").asInt()).isEqualTo(3);
        assertThat(n.get("distanceMatrices").get("paths").toString()).contains("scalar uint8", "SIMD uint8",
                "GEMM float32 (java)");
    }

    @Test
    void everySpeedUpIsComputedFromTheOneTableOfMeasurements() throws Exception {
        CliTest.Run r = CliTest.run("demo", "--repeats", "1", "--json", "--k", "1..3", "--folds", "3",
                "--train-limit", "600", "--progress", "never");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = new ObjectMapper().readTree(r.out());
        Map<String, JsonNode> entries = new HashMap<>();
        for (JsonNode e : n.get("speedUps").get("entries")) {
            assertThat(entries.put(e.get("id").asText(), e)).as("unique id " + e.get("id")).isNull();
            assertThat(e.get("threads").asInt()).isEqualTo(1);
            // a variant that did not settle has no figure, never a number from code the JIT had not compiled
            assertThat(e.get("millis").isNull()).isEqualTo(e.get("timing").asText().startsWith("not measured"));
        }
        int ratios = 0;
        for (JsonNode row : n.get("summary")) {
            List<String> texts = new ArrayList<>();
            for (JsonNode s : row.get("speedUps")) {
                JsonNode base = entries.get(s.get("baselineId").asText());
                JsonNode variant = entries.get(s.get("variantId").asText());
                assertThat(base).as(s.toString()).isNotNull();
                assertThat(variant).as(s.toString()).isNotNull();
                if (base.get("millis").isNull() || variant.get("millis").isNull()) {
                    assertThat(s.get("speedUp").isNull()).as(s.toString()).isTrue();
                    texts.add("not measured");
                } else {
                    double expected = base.get("millis").asDouble() / variant.get("millis").asDouble();
                    assertThat(s.get("speedUp").asDouble()).as(s.toString()).isEqualTo(expected);
                    texts.add(String.format(Locale.ROOT, "%.1fx", expected));
                }
                ratios++;
            }
            for (String t : texts) {
                assertThat(row.get("speedUpText").asText()).contains(t);
            }
        }
        assertThat(ratios).isPositive();
        // the distance table reads the same entries
        for (JsonNode p : n.get("distanceMatrices").get("paths")) {
            for (String m : List.of("l1", "l2")) {
                JsonNode id = p.get(m + "Id");
                if (id.isNull()) {
                    continue;
                }
                JsonNode e = entries.get(id.asText());
                JsonNode scalar = entries.get("distances " + m.toUpperCase(Locale.ROOT) + " scalar");
                assertThat(p.get(m + "Millis").isNull()).isEqualTo(e.get("millis").isNull());
                if (!e.get("millis").isNull() && !scalar.get("millis").isNull()) {
                    assertThat(p.get(m + "SpeedUp").asDouble())
                            .isEqualTo(scalar.get("millis").asDouble() / e.get("millis").asDouble());
                }
            }
        }
        JsonNode blas = n.get("blas");
        assertThat(blas.get("gemm").asText()).isIn("openblas", "java");
        assertThat(blas.get("requested").asText()).isNotBlank();
        if (blas.get("loaded").asBoolean()) {
            assertThat(blas.get("version").asText()).isNotBlank();
            assertThat(blas.get("source").asText()).isIn("bundled", "system", "explicit");
        }
    }

    @Test
    void progressGoesToStderrOnlyAndNeverChangesTheJson() throws Exception {
        String[] fast = {"demo", "--repeats", "1", "--json", "--k", "1..2", "--folds", "2", "--train-limit", "300",
            "--limit", "60"};
        CliTest.Run never = CliTest.run(concat(fast, "--progress", "never"));
        CliTest.Run always = CliTest.run(concat(fast, "--progress", "always"));
        assertThat(never.code()).as(never.err()).isZero();
        assertThat(always.code()).as(always.err()).isZero();
        assertThat(always.err()).contains("vecml demo").contains("%");
        assertThat(never.err()).doesNotContain("vecml demo [");
        // the same JSON apart from the measured times (which differ from run to run)
        assertThat(withoutTimes(always.out())).isEqualTo(withoutTimes(never.out()));
        assertThat(always.out()).doesNotContain("\r").doesNotContain("[#");
    }

    @Test
    void oldSeedIsAHiddenAliasWithAWarning() {
        CliTest.Run r = CliTest.run("demo", "--repeats", "1", "--json", "--k", "1..2", "--folds", "2",
                "--train-limit", "200", "--limit", "40", "--seed", "7", "--progress", "never");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("vecml demo: warning: --seed is now --split-seed");
        assertThat(r.out()).contains("\"splitSeed\" : 7");
        assertThat(CliTest.run("demo", "--help").out()).contains("--split-seed", "--standardize", "--progress")
                .doesNotContain("--seed=");
        assertThat(CliTest.run("demo", "--standardize", "all").code()).isEqualTo(2);
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** The JSON with every timing-dependent field blanked. */
    private static String withoutTimes(String json) throws Exception {
        JsonNode n = new ObjectMapper().readTree(json);
        blank(n);
        return n.toString();
    }

    private static void blank(JsonNode n) {
        if (n instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            for (String f : List.copyOf(iterable(o.fieldNames()))) {
                String l = f.toLowerCase(Locale.ROOT);
                if (l.contains("millis") || l.contains("seconds") || l.contains("speedup") || l.contains("persecond")
                        || l.equals("timing") || l.equals("notes") || l.equals("environment")) {
                    o.putNull(f);
                } else {
                    blank(o.get(f));
                }
            }
        } else if (n != null && n.isArray()) {
            n.forEach(DemoCommandTest::blank);
        }
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    @Test
    void badOptionsAreExitCode2() {
        assertThat(CliTest.run("demo", "--out", tmp.resolve("f").toString(), "--k", "0..3").code()).isEqualTo(2);
        assertThat(CliTest.run("demo", "--limit", "0").code()).isEqualTo(2);
        assertThat(CliTest.run("demo", "--folds", "1").code()).isEqualTo(2);
        assertThat(CliTest.run("demo", "--data", tmp.resolve("missing").toString()).code()).isEqualTo(2);
    }

    @Test
    void outMustNotBeAFile() throws Exception {
        Path f = Files.writeString(tmp.resolve("file"), "x");
        CliTest.Run r = CliTest.run("demo", "--out", f.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--out", "is a file");
    }
}
