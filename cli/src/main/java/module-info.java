/**
 * The {@code vecml} command line and the HTTP server ({@code vecml serve}). Exports nothing: it is an
 * application. Its command classes are opened to picocli (options are injected into fields by reflection)
 * and its request/response classes to Jackson.
 */
module io.vecml.cli {
    requires io.vecml.engine;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    requires org.eclipse.jetty.server;
    requires java.desktop;
    requires java.management;
    requires jdk.management;

    opens io.vecml.cli to info.picocli, com.fasterxml.jackson.databind;
    opens io.vecml.cli.serve to com.fasterxml.jackson.databind;
}
