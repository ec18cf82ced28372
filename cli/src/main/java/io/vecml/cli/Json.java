package io.vecml.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vecml.engine.gemm.BlasReport;

/** The one JSON writer of the command line. */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The field every JSON report carries: which BLAS (OpenBLAS file and version, or the Java GEMM) was used. */
    static final String BLAS = "blas";

    private Json() {
    }

    /**
     * A command's JSON report: the value's fields, then {@value #BLAS} ({@link BlasReport}) unless the value
     * already has that field. Every command's {@code --json} output and report file goes through here.
     */
    static String write(Object value) {
        try {
            JsonNode tree = MAPPER.valueToTree(value);
            if (tree instanceof ObjectNode o && !o.has(BLAS)) {
                o.set(BLAS, MAPPER.valueToTree(BlasReport.current()));
            }
            return MAPPER.writeValueAsString(tree);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalStateException("could not write JSON: " + e.getMessage(), e);
        }
    }
}
