package io.vecml.blas;

/** CBLAS transpose flag ({@code CBLAS_TRANSPOSE}); conjugate transposes do not apply to real data. */
public enum Transpose {
    NO_TRANS(111),
    TRANS(112);

    final int cblas;

    Transpose(int cblas) {
        this.cblas = cblas;
    }

    public static Transpose of(boolean transposed) {
        return transposed ? TRANS : NO_TRANS;
    }
}
