package io.vecml.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * An output stream that remembers its first failure, so that a command whose standard output could
 * not be written (a closed pipe, a full disk) can say why: a {@link java.io.PrintWriter} over it only
 * records that something failed ({@link java.io.PrintWriter#checkError}).
 */
final class StandardOutput extends OutputStream {

    private final OutputStream out;
    private volatile IOException failure;

    StandardOutput(OutputStream out) {
        this.out = out;
    }

    /** The process's standard output, unbuffered (wrap it in a buffered writer). */
    static StandardOutput stdout() {
        return new StandardOutput(new FileOutputStream(FileDescriptor.out));
    }

    /** The reason of the first failure, or null. */
    String failure() {
        IOException e = failure;
        if (e == null) {
            return null;
        }
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public void write(int b) throws IOException {
        try {
            out.write(b);
        } catch (IOException e) {
            throw remember(e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw remember(e);
        }
    }

    @Override
    public void flush() throws IOException {
        try {
            out.flush();
        } catch (IOException e) {
            throw remember(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            out.close();
        } catch (IOException e) {
            throw remember(e);
        }
    }

    private IOException remember(IOException e) {
        if (failure == null) {
            failure = e;
        }
        return e;
    }
}
