package io.vecml.cli.serve;

import io.vecml.engine.data.DataFormat;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.FileAccess;
import io.vecml.engine.data.LoadOptions;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Npy;
import io.vecml.engine.data.NpyDatasetReader;
import io.vecml.engine.data.Splits;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** Datasets: loading by path (inside --data-dir only), .npy uploads, listing, deleting. */
final class DatasetService {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final ServeConfig config;
    /** The real path of --data-dir, or null. */
    private final Path root;
    /** How the loaders open files: confined to {@link #root} (every companion file they find included). */
    private final FileAccess access;
    /** Where uploads wait for their other half (one folder per dataset name). */
    private final Path staging;
    final ConcurrentHashMap<String, DatasetEntry> datasets = new ConcurrentHashMap<>();
    private final Object uploadLock = new Object();

    DatasetService(ServeConfig config, Path staging) throws IOException {
        this.config = config;
        this.staging = staging;
        if (config.dataDir() == null) {
            root = null;
        } else {
            if (!Files.isDirectory(config.dataDir())) {
                throw new IllegalArgumentException("--data-dir " + config.dataDir() + " is not a folder");
            }
            root = config.dataDir().toRealPath();
        }
        access = root == null ? null : FileAccess.confinedTo(root);
    }

    static String checkName(String name, String what) {
        if (!NAME.matcher(name).matches()) {
            throw ApiException.badRequest(what + " '" + name + "' must be 1-64 letters, digits, '_', '.' or '-',"
                    + " starting with a letter or digit");
        }
        return name;
    }

    /** A use of a dataset by name; 404 when there is none. */
    Shared.Lease<DatasetEntry> acquire(String name, String field) {
        DatasetEntry e = datasets.get(name);
        if (e == null || !e.acquire()) {
            throw ApiException.notFound(field + ": no dataset named '" + name + "' (GET /datasets lists them)");
        }
        return new Shared.Lease<>(e);
    }

    List<Map<String, Object>> list() {
        List<Map<String, Object>> out = new ArrayList<>();
        new java.util.TreeMap<>(datasets).forEach((k, v) -> out.add(v.info()));
        return out;
    }

    Map<String, Object> info(String name) {
        try (Shared.Lease<DatasetEntry> l = acquire(name, "dataset")) {
            return l.value().info();
        }
    }

    Map<String, Object> delete(String name) {
        DatasetEntry e = datasets.remove(name);
        boolean staged = dropStaged(name);
        if (e == null && !staged) {
            throw ApiException.notFound("no dataset named '" + name + "'");
        }
        if (e != null) {
            e.retire();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deleted", name);
        return m;
    }

    void retireAll() {
        for (String name : List.copyOf(datasets.keySet())) {
            DatasetEntry e = datasets.remove(name);
            if (e != null) {
                e.retire();
            }
        }
    }

    // ---------------------------------------------------------------- loading by path

    DatasetEntry load(JsonRequest r) throws IOException {
        r.renamed("holdout", "testFraction").renamed("seed", "splitSeed");
        r.allow("name", "path", "format", "label", "header", "cifar100Label", "labels", "testFraction", "splitSeed");
        String name = checkName(r.string("name"), "name");
        if (datasets.containsKey(name)) {
            throw ApiException.conflict("a dataset named '" + name + "' exists already (DELETE /datasets/" + name + " first)");
        }
        String path = r.string("path");
        boolean embedded = path.strip().equalsIgnoreCase(Datasets.EMBEDDED_DIGITS);
        LoadOptions options = options(r);
        long t0 = System.nanoTime();
        LoadedData d;
        try {
            d = Datasets.load(embedded ? Datasets.EMBEDDED_DIGITS : resolve(path, "path").toString(), options);
        } catch (FileAccess.OutsideRootException e) {
            // A companion file the loader found by itself (a labels file, y.npy, a CIFAR names file...) leads
            // outside --data-dir: refused before it was opened, so nothing of it is in the message.
            throw ApiException.forbidden("path '" + path + "': " + hidePaths(e.getMessage()));
        } catch (NoSuchFileException e) {
            throw ApiException.notFound("path '" + path + "': no such file or folder");
        } catch (IOException | IllegalArgumentException e) {
            throw ApiException.badRequest("path '" + path + "': " + hidePaths(e.getMessage()));
        }
        Dataset train = d.train();
        Dataset test = d.test();
        try {
            if (r.has("testFraction")) {
                double f = r.number("testFraction", 0);
                if (!(f > 0 && f < 1)) {
                    throw ApiException.badRequest("field 'testFraction' must be in (0, 1), got " + f);
                }
                if (d.hasTest()) {
                    throw ApiException.badRequest("field 'testFraction': '" + path + "' has a test split already");
                }
                long seed = r.integer("splitSeed", 42L, Long.MIN_VALUE, Long.MAX_VALUE);
                Splits.Holdout h = Splits.holdout(d.train().rows(), f, seed);
                train = d.train().select(h.train());
                try {
                    test = d.train().select(h.test());
                } catch (RuntimeException e) {
                    train.close();
                    throw e;
                }
                d.close();
            }
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        DatasetEntry e = new DatasetEntry(name, embedded ? Datasets.EMBEDDED_DIGITS : path,
                d.format().id(), embedded ? "embedded" : "path", train, test, (System.nanoTime() - t0) / 1e9);
        if (datasets.putIfAbsent(name, e) != null) {
            e.retire();
            throw ApiException.conflict("a dataset named '" + name + "' exists already");
        }
        return e;
    }

    private LoadOptions options(JsonRequest r) throws IOException {
        try {
            DataFormat f = r.has("format") ? DataFormat.parse(r.string("format")) : null;
            LoadOptions.CsvHeader h = switch (r.string("header", "auto").toLowerCase(Locale.ROOT)) {
                case "auto" -> LoadOptions.CsvHeader.AUTO;
                case "names" -> LoadOptions.CsvHeader.NAMES;
                case "none" -> LoadOptions.CsvHeader.NONE;
                case "sklearn" -> LoadOptions.CsvHeader.SKLEARN;
                default -> throw ApiException.badRequest("field 'header' must be auto, names, none or sklearn");
            };
            LoadOptions.Cifar100Label c = switch (r.string("cifar100Label", "fine").toLowerCase(Locale.ROOT)) {
                case "fine" -> LoadOptions.Cifar100Label.FINE;
                case "coarse" -> LoadOptions.Cifar100Label.COARSE;
                default -> throw ApiException.badRequest("field 'cifar100Label' must be fine or coarse");
            };
            Path labels = r.has("labels") ? resolve(r.string("labels"), "labels") : null;
            return new LoadOptions(f, c, r.string("label", null), h, labels, access);
        } catch (ApiException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("field 'format': " + e.getMessage());
        }
    }

    /**
     * {@code rel} inside the data folder, symbolic links resolved: 403 when it (or, for a folder, one of
     * the files in it) lies outside, or when the server has no data folder; 404 when it does not exist.
     */
    Path resolve(String rel, String field) throws IOException {
        if (root == null) {
            throw ApiException.forbidden("field '" + field + "': this server was started without --data-dir, so"
                    + " nothing can be loaded by path (use " + Datasets.EMBEDDED_DIGITS + " or upload .npy files)");
        }
        Path q;
        try {
            q = Path.of(rel);
        } catch (InvalidPathException e) {
            throw ApiException.badRequest("field '" + field + "': not a valid path: " + e.getMessage());
        }
        if (q.isAbsolute()) {
            throw ApiException.forbidden("field '" + field + "' must be a path relative to the data folder, got the"
                    + " absolute path '" + rel + "'");
        }
        Path c = root.resolve(q).normalize();
        if (!c.startsWith(root) || c.equals(root) && rel.contains("..")) {
            throw ApiException.forbidden("field '" + field + "': '" + rel + "' lies outside the data folder");
        }
        if (!Files.exists(c)) {
            throw ApiException.notFound("field '" + field + "': '" + rel + "': no such file or folder in the data folder");
        }
        Path real = c.toRealPath();
        if (!real.startsWith(root)) {
            throw ApiException.forbidden("field '" + field + "': '" + rel + "' leads outside the data folder"
                    + " (through a symbolic link)");
        }
        if (Files.isDirectory(real)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(real)) {
                for (Path child : ds) {
                    if (Files.exists(child) && !child.toRealPath().startsWith(root)) {
                        throw ApiException.forbidden("field '" + field + "': '" + rel + "/" + child.getFileName()
                                + "' leads outside the data folder (through a symbolic link)");
                    }
                }
            }
        }
        return real;
    }

    private String hidePaths(String message) {
        String m = message == null ? "unreadable" : message;
        if (root != null) {
            m = m.replace(root.toString() + java.io.File.separator, "").replace(root.toString(), ".");
        }
        return m.replace(staging.toString() + java.io.File.separator, "upload ");
    }

    // ---------------------------------------------------------------- uploads

    /**
     * PUT /datasets/{name}/upload?split=train|test&amp;part=features|labels: one .npy array. A split
     * exists once both its parts have arrived; the dataset exists once its train split does. A test
     * split may come before or after the train split.
     */
    Map<String, Object> upload(String name, Exchange ex, Map<String, String> query) throws IOException {
        checkName(name, "dataset name");
        for (String k : query.keySet()) {
            if (!k.equals("split") && !k.equals("part")) {
                throw ApiException.badRequest("unknown query parameter '" + k + "'; expected split and part");
            }
        }
        String split = query.getOrDefault("split", "train").toLowerCase(Locale.ROOT);
        if (!split.equals("train") && !split.equals("test")) {
            throw ApiException.badRequest("query parameter 'split' must be train or test, got '" + split + "'");
        }
        String part = switch (query.getOrDefault("part", "features").toLowerCase(Locale.ROOT)) {
            case "features", "x" -> "x";
            case "labels", "y" -> "y";
            default -> throw ApiException.badRequest("query parameter 'part' must be features or labels, got '"
                    + query.get("part") + "'");
        };
        refuseIfTaken(name, split);
        Files.createDirectories(staging);
        Path tmp = Files.createTempFile(staging, ".upload-", ".npy");
        long bytes;
        try {
            bytes = Http.copyBody(ex, tmp, config.maxBody());
            if (bytes == 0) {
                throw ApiException.badRequest("the body is empty: send the .npy file as the request body");
            }
            Npy.Header h;
            try {
                h = Npy.readHeader(tmp);
            } catch (IOException e) {
                throw ApiException.badRequest((part.equals("x") ? "features" : "labels") + ": not a valid .npy file: "
                        + hidePaths(e.getMessage()).replace(tmp.getFileName().toString(), "body"));
            }
            if (part.equals("y") && h.shape().length != 1) {
                throw ApiException.badRequest("labels: expected a 1-D array, got shape " + h.shapeText());
            }
            if (part.equals("x") && (h.shape().length < 2 || h.shape().length > 4)) {
                throw ApiException.badRequest("features: expected shape (N, D), (N, H, W) or (N, H, W, C), got "
                        + h.shapeText());
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        synchronized (uploadLock) {
            try {
                refuseIfTaken(name, split);
                Path dir = Files.createDirectories(staging.resolve(name));
                Files.move(tmp, dir.resolve(part + "_" + split + ".npy"), StandardCopyOption.REPLACE_EXISTING);
                return completeUpload(name, dir, split, part, bytes);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private void refuseIfTaken(String name, String split) {
        DatasetEntry e = datasets.get(name);
        if (e == null) {
            return;
        }
        if (!e.origin.equals("upload")) {
            throw ApiException.conflict("a dataset named '" + name + "' was loaded from " + e.source
                    + "; uploads cannot change it (DELETE it first)");
        }
        if (split.equals("train") || e.test() != null) {
            throw ApiException.conflict("dataset '" + name + "' already has a " + split + " split (DELETE it first)");
        }
    }

    private Map<String, Object> completeUpload(String name, Path dir, String split, String part, long bytes)
            throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", name);
        m.put("split", split);
        m.put("part", part.equals("x") ? "features" : "labels");
        m.put("bytes", bytes);
        List<String> waiting = new ArrayList<>();
        for (String s : new String[] {"train", "test"}) {
            boolean x = Files.exists(dir.resolve("x_" + s + ".npy"));
            boolean y = Files.exists(dir.resolve("y_" + s + ".npy"));
            if (x != y) {
                waiting.add(s + " " + (x ? "labels" : "features"));
            }
        }
        DatasetEntry existing = datasets.get(name);
        boolean trainReady = Files.exists(dir.resolve("x_train.npy")) && Files.exists(dir.resolve("y_train.npy"));
        boolean testReady = Files.exists(dir.resolve("x_test.npy")) && Files.exists(dir.resolve("y_test.npy"));
        if (existing == null && trainReady) {
            Dataset train = readSplit(dir, "train");
            Dataset test = null;
            try {
                if (testReady) {
                    test = conform(train, readSplit(dir, "test"));
                }
            } catch (IOException | RuntimeException e) {
                train.close();
                throw e;
            }
            DatasetEntry e = new DatasetEntry(name, "upload", "npy", "upload", train, test, 0);
            datasets.put(name, e); // under uploadLock, and load() refuses names that exist
            deleteStaged(dir, "train");
            if (testReady) {
                deleteStaged(dir, "test");
            }
            m.put("status", "created");
            m.put("info", e.info());
        } else if (existing != null && split.equals("test") && testReady) {
            try (Shared.Lease<DatasetEntry> l = acquire(name, "dataset")) {
                Dataset test = conform(l.value().train, readSplit(dir, "test"));
                try {
                    l.value().attachTest(test);
                } catch (RuntimeException e) {
                    test.close();
                    throw e;
                }
                deleteStaged(dir, "test");
                m.put("status", "test split added");
                m.put("info", l.value().info());
            }
        } else {
            m.put("status", "staged");
            if (!trainReady && existing == null && !waiting.contains("train features") && !waiting.contains("train labels")) {
                waiting.add("train features and labels");
            }
        }
        m.put("waitingFor", waiting);
        return m;
    }

    private Dataset readSplit(Path dir, String split) throws IOException {
        Path x = dir.resolve("x_" + split + ".npy");
        Path y = dir.resolve("y_" + split + ".npy");
        try {
            return NpyDatasetReader.read(x, new LoadOptions(DataFormat.NPY, null, null, null, y)).train();
        } catch (IOException | IllegalArgumentException e) {
            // Both halves must be sent again: keeping a bad one would fail every later attempt the same way.
            deleteStaged(dir, split);
            throw ApiException.badRequest(split + " split: " + hidePaths(e.getMessage()).replace(dir + java.io.File.separator, ""));
        }
    }

    private static void deleteStaged(Path dir, String split) throws IOException {
        Files.deleteIfExists(dir.resolve("x_" + split + ".npy"));
        Files.deleteIfExists(dir.resolve("y_" + split + ".npy"));
    }

    private boolean dropStaged(String name) {
        synchronized (uploadLock) {
            Path dir = staging.resolve(name);
            if (!Files.isDirectory(dir)) {
                return false;
            }
            try {
                boolean any = false;
                for (String s : new String[] {"train", "test"}) {
                    for (String p : new String[] {"x_", "y_"}) {
                        any |= Files.deleteIfExists(dir.resolve(p + s + ".npy"));
                    }
                }
                Files.deleteIfExists(dir);
                return any;
            } catch (IOException e) {
                return false;
            }
        }
    }

    /**
     * The test split made to match the training split: same features, type (uint8 becomes float32 when
     * the training rows are float32) and classes (the training split's; test labels must be among them).
     */
    static Dataset conform(Dataset train, Dataset test) {
        try {
            if (test.dims() != train.dims()) {
                throw ApiException.badRequest("test split: rows have " + test.dims() + " features but the training"
                        + " rows have " + train.dims());
            }
            if (test.numClasses() > train.numClasses()) {
                throw ApiException.badRequest("test split: labels go up to " + (test.numClasses() - 1)
                        + " but the training labels only up to " + (train.numClasses() - 1));
            }
            Dataset t = test;
            if (t.type() != train.type()) {
                if (train.type() != Dataset.Type.FLOAT32) {
                    throw ApiException.badRequest("test split: features are " + t.type().name().toLowerCase(Locale.ROOT)
                            + " but the training features uint8; send uint8 test features");
                }
                t = test.toFloat32();
                test.close();
            }
            if (t.numClasses() < train.numClasses()) {
                Dataset w = withClasses(t, train.classNames());
                t.close();
                t = w;
            }
            return t;
        } catch (RuntimeException e) {
            test.close();
            throw e;
        }
    }

    /** A copy of {@code d} with more class names (its labels stay valid). */
    static Dataset withClasses(Dataset d, List<String> names) {
        try (Dataset.Builder b = Dataset.builder(d.type(), d.rows(), d.dims())) {
            MemorySegment.copy(d.segment(), 0, b.segment(), 0, d.byteSize());
            for (int r = 0; r < d.rows(); r++) {
                b.label(r, d.label(r));
            }
            return b.build(names, d.imageShape().orElse(null));
        }
    }
}
