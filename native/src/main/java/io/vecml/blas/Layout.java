package io.vecml.blas;

/** CBLAS storage order ({@code CBLAS_ORDER}). */
public enum Layout {
    ROW_MAJOR(101),
    COL_MAJOR(102);

    final int cblas;

    Layout(int cblas) {
        this.cblas = cblas;
    }
}
