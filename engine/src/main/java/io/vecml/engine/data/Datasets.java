package io.vecml.engine.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Loads a dataset from a path, choosing the reader from the path (or {@link LoadOptions#format()}).
 * {@code embedded:digits} names the digits data shipped inside vecml.
 */
public final class Datasets {

    /** The pseudo-path of the embedded digits data. */
    public static final String EMBEDDED_DIGITS = "embedded:digits";
    /** The pseudo-path of the embedded iris data. */
    public static final String EMBEDDED_IRIS = "embedded:iris";

    private Datasets() {
    }

    /** Loads {@code source} with default options. */
    public static LoadedData load(String source) throws IOException {
        return load(source, LoadOptions.DEFAULTS);
    }

    /** Loads {@code source}: a file, a folder, an archive, or {@value #EMBEDDED_DIGITS}. */
    public static LoadedData load(String source, LoadOptions options) throws IOException {
        if (source.equalsIgnoreCase(EMBEDDED_DIGITS)) {
            return new LoadedData(DataFormat.CSV, EMBEDDED_DIGITS, EmbeddedData.digits(), null);
        }
        if (source.equalsIgnoreCase(EMBEDDED_IRIS)) {
            return new LoadedData(DataFormat.CSV, EMBEDDED_IRIS, EmbeddedData.iris(), null);
        }
        Path path = Path.of(source);
        if (!Files.exists(path)) {
            throw new NoSuchFileException(source, null, "no such file or folder");
        }
        options.access().check(path);
        DataFormat format = options.format() != null ? options.format() : detect(path, options.access());
        LoadOptions o = options.withFormat(format);
        return switch (format) {
            case CIFAR10_PYTHON -> CifarPythonReader.read(path, o);
            case CIFAR10_BINARY, CIFAR100_BINARY -> CifarBinaryReader.read(path, o);
            case IDX -> IdxReader.read(path, o);
            case CSV -> CsvReader.read(path, o);
            case NPY -> NpyDatasetReader.read(path, o);
        };
    }

    /** Chooses the format from the path: folder contents, archive member names, file names. */
    public static DataFormat detect(Path path) throws IOException {
        return detect(path, FileAccess.UNRESTRICTED);
    }

    /** Chooses the format from the path, opening an archive (to read its member names) through {@code access}. */
    public static DataFormat detect(Path path, FileAccess access) throws IOException {
        if (Files.isDirectory(path)) {
            DataFormat f = detectFolder(path);
            if (f != null) {
                return f;
            }
            throw new DataFormatException(path + ": cannot tell the data format of this folder (expected the files of"
                    + " cifar-10-batches-py/, cifar-10-batches-bin/, cifar-100-binary/, the four MNIST-style IDX files,"
                    + " or x_train.npy + y_train.npy); use --format");
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Archives.isTarName(path)) {
            return detectTar(path, access);
        }
        if (name.endsWith(".npy")) {
            return DataFormat.NPY;
        }
        if (name.endsWith(".csv") || name.endsWith(".csv.gz") || name.endsWith(".txt")) {
            return DataFormat.CSV;
        }
        if (name.contains("idx3-ubyte") || name.contains("idx1-ubyte") || name.endsWith(".idx")) {
            return DataFormat.IDX;
        }
        throw new DataFormatException(path + ": cannot tell the data format from the name; expected a CIFAR tarball"
                + " or folder, an IDX file (*-idx3-ubyte[.gz]), .csv or .npy; use --format");
    }

    private static DataFormat detectFolder(Path dir) {
        if (Files.exists(dir.resolve("data_batch_1")) || Files.exists(dir.resolve("batches.meta"))) {
            return DataFormat.CIFAR10_PYTHON;
        }
        if (Files.exists(dir.resolve("data_batch_1.bin")) || Files.exists(dir.resolve("batches.meta.txt"))) {
            return DataFormat.CIFAR10_BINARY;
        }
        if (Files.exists(dir.resolve("fine_label_names.txt")) || Files.exists(dir.resolve("train.bin"))) {
            return DataFormat.CIFAR100_BINARY;
        }
        for (String s : new String[] {"train-images-idx3-ubyte", "train-images-idx3-ubyte.gz",
            "t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz"}) {
            if (Files.exists(dir.resolve(s))) {
                return DataFormat.IDX;
            }
        }
        for (String s : new String[] {"x_train.npy", "X_train.npy"}) {
            if (Files.exists(dir.resolve(s))) {
                return DataFormat.NPY;
            }
        }
        return null;
    }

    private static DataFormat detectTar(Path path, FileAccess access) throws IOException {
        boolean misnamed = false;
        try (Archives.Source src = Archives.openSource(path, access);
             TarArchiveInputStream tar = new TarArchiveInputStream(src.in())) {
            misnamed = !src.gzip() && Archives.isGzipName(path);
            TarArchiveEntry e;
            int seen = 0;
            while ((e = Archives.nextEntry(tar, path, misnamed)) != null && seen++ < 16) {
                String n = e.getName();
                if (n.contains("cifar-10-batches-py") || n.endsWith("/batches.meta") || n.endsWith("/data_batch_1")) {
                    return DataFormat.CIFAR10_PYTHON;
                }
                if (n.contains("cifar-10-batches-bin") || n.endsWith(".bin") && n.contains("data_batch")) {
                    return DataFormat.CIFAR10_BINARY;
                }
                if (n.contains("cifar-100-binary") || n.endsWith("fine_label_names.txt")) {
                    return DataFormat.CIFAR100_BINARY;
                }
            }
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(path + ": not a readable tar archive (" + e.getMessage() + ")"
                    + Archives.notGzipNote(misnamed), e);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new DataFormatException(path + ": the compressed stream is damaged or cut short (" + e.getMessage()
                    + ")", e);
        }
        throw new DataFormatException(path + ": a tar archive without the CIFAR folders (cifar-10-batches-py/,"
                + " cifar-10-batches-bin/ or cifar-100-binary/); use --format");
    }
}
