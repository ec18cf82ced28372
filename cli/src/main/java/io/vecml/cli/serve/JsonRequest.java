package io.vecml.cli.serve;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** A JSON object request with typed field access; every problem is a 400 that names the field. */
final class JsonRequest {

    private final ObjectNode node;
    /** One line per old field name used (answered in the reply's {@code warnings}). */
    private final List<String> warnings = new ArrayList<>();

    private JsonRequest(ObjectNode node) {
        this.node = node;
    }

    /**
     * Accepts {@code old}, the field's name before the one vocabulary (README), as {@code now}, with a
     * warning in the answer; both at once are refused.
     */
    JsonRequest renamed(String old, String now) {
        if (node.has(old)) {
            if (node.has(now)) {
                throw ApiException.badRequest("fields '" + old + "' and '" + now + "' name the same thing ('" + old
                        + "' is the old name of '" + now + "'); send only '" + now + "'");
            }
            node.set(now, node.remove(old));
            warnings.add("field '" + old + "' is now '" + now + "' (the old name goes in the next release)");
        }
        return this;
    }

    /** The warnings of {@link #renamed} fields, in the order they were met. */
    List<String> warnings() {
        return List.copyOf(warnings);
    }

    static JsonRequest parse(byte[] body) {
        if (body.length == 0) {
            throw ApiException.badRequest("the request needs a JSON object body");
        }
        JsonNode n;
        try (JsonParser p = Http.MAPPER.createParser(body)) {
            n = Http.MAPPER.readTree(p);
            JsonLocation at = null;
            try {
                if (n != null && p.nextToken() != null) {
                    at = p.currentTokenLocation();
                }
            } catch (JsonProcessingException e) {
                at = e.getLocation() != null ? e.getLocation() : p.currentLocation();
            }
            if (at != null) {
                throw ApiException.badRequest("the body is not valid JSON: unexpected data after the JSON value at line "
                        + at.getLineNr() + ", column " + at.getColumnNr() + " (byte " + at.getByteOffset()
                        + "); send exactly one JSON object");
            }
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("the body could not be read as JSON: " + e.getMessage());
        }
        if (n == null || !n.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object, got " + (n == null ? "nothing" : n.getNodeType()
                    .name().toLowerCase(java.util.Locale.ROOT)));
        }
        return new JsonRequest((ObjectNode) n);
    }

    /** Refuses fields other than {@code allowed} (a typo would otherwise be silently ignored). */
    JsonRequest allow(String... allowed) {
        Set<String> ok = new TreeSet<>(Arrays.asList(allowed));
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String f = it.next();
            if (!ok.contains(f)) {
                throw ApiException.badRequest("unknown field '" + f + "'; expected " + String.join(", ", ok));
            }
        }
        return this;
    }

    /** The raw value of a field that {@link #has} it. */
    JsonNode node(String field) {
        return node.get(field);
    }

    boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    String string(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.badRequest("missing field '" + field + "'");
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest("field '" + field + "' must be a string, got " + v);
        }
        return v.asText();
    }

    String string(String field, String def) {
        return has(field) ? string(field) : def;
    }

    long integer(String field, long def, long min, long max) {
        if (!has(field)) {
            return def;
        }
        JsonNode v = node.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiException.badRequest("field '" + field + "' must be an integer, got " + v);
        }
        long x = v.asLong();
        if (x < min || x > max) {
            throw ApiException.badRequest("field '" + field + "' must be in " + min + ".." + max + ", got " + x);
        }
        return x;
    }

    int integer(String field, int def, int min, int max) {
        return (int) integer(field, (long) def, min, max);
    }

    Long optionalLong(String field) {
        return has(field) ? integer(field, 0L, Long.MIN_VALUE, Long.MAX_VALUE) : null;
    }

    double number(String field, double def) {
        if (!has(field)) {
            return def;
        }
        JsonNode v = node.get(field);
        if (!v.isNumber()) {
            throw ApiException.badRequest("field '" + field + "' must be a number, got " + v);
        }
        return v.asDouble();
    }

    boolean bool(String field, boolean def) {
        if (!has(field)) {
            return def;
        }
        JsonNode v = node.get(field);
        if (!v.isBoolean()) {
            throw ApiException.badRequest("field '" + field + "' must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    /** A list of strings, given as a JSON array or as one comma-separated string. */
    List<String> strings(String field, String def) {
        List<String> out = new ArrayList<>();
        if (!has(field)) {
            for (String s : def.split(",")) {
                out.add(s.strip());
            }
            return out;
        }
        JsonNode v = node.get(field);
        if (v.isTextual()) {
            for (String s : v.asText().split(",")) {
                if (!s.isBlank()) {
                    out.add(s.strip());
                }
            }
        } else if (v.isArray()) {
            for (JsonNode e : v) {
                if (!e.isTextual()) {
                    throw ApiException.badRequest("field '" + field + "' must hold strings, got " + e);
                }
                out.add(e.asText().strip());
            }
        } else {
            throw ApiException.badRequest("field '" + field + "' must be a string or an array of strings, got " + v);
        }
        if (out.isEmpty()) {
            throw ApiException.badRequest("field '" + field + "' is empty");
        }
        return out;
    }

    /** k values as text ("1..30", "1,3,5"): from a string, a number or an array of numbers. */
    String kSpec(String field, String def) {
        if (!has(field)) {
            return def;
        }
        JsonNode v = node.get(field);
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isIntegralNumber()) {
            return v.asText();
        }
        if (v.isArray() && !v.isEmpty()) {
            List<String> ks = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isIntegralNumber()) {
                    throw ApiException.badRequest("field '" + field + "' must hold integers, got " + e);
                }
                ks.add(e.asText());
            }
            return String.join(",", ks);
        }
        throw ApiException.badRequest("field '" + field + "' must be a number, a list of numbers or a range like"
                + " \"1..30\", got " + v);
    }
}
