package io.vecml.engine.data;

import java.io.IOException;

/**
 * A data file does not hold what its format promises. The message names the file, where in it
 * (member, record, line, byte offset) and what was expected; the CLI maps it to exit code 2.
 */
public class DataFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public DataFormatException(String message) {
        super(message);
    }

    public DataFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A message of the form {@code "FILE [member M], offset N: what"}; {@code member} may be null,
     * {@code offset} may be negative for "no offset".
     */
    public static DataFormatException at(Object file, String member, long offset, String what) {
        StringBuilder b = new StringBuilder().append(file);
        if (member != null) {
            b.append(" member ").append(member);
        }
        if (offset >= 0) {
            b.append(", offset ").append(offset);
        }
        return new DataFormatException(b.append(": ").append(what).toString());
    }
}
