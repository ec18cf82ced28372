package io.vecml.engine.linear;

import java.util.Locale;

/** How features are transformed before the linear model sees them; see {@link FeatureScaling}. */
public enum Preprocessing {
    /** The values as read (pixels 0..255). */
    RAW("raw"),
    /** Minus the training mean image. */
    CENTER("center"),
    /** z-scores with the training mean and population standard deviation (the default). */
    STANDARDIZE("standardize");

    private final String id;

    Preprocessing(String id) {
        this.id = id;
    }

    /** The name used on the command line and in model files. */
    public String id() {
        return id;
    }

    /** The preprocessing with this {@link #id()} (case-insensitive; "centre" and "standardise" too). */
    public static Preprocessing fromId(String id) {
        String s = id == null ? "" : id.strip().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "raw" -> RAW;
            case "center", "centre" -> CENTER;
            case "standardize", "standardise", "zscore" -> STANDARDIZE;
            default -> throw new IllegalArgumentException("unknown preprocessing '" + id
                    + "': expected raw, center or standardize");
        };
    }
}
