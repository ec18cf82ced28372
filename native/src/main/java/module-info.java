/**
 * OpenBLAS through the foreign function API: the loader and the CBLAS calls vecml uses.
 * The OpenBLAS shared libraries are found on disk or extracted from the bytedeco jar on the class path
 * (a resource lookup by path, which needs no {@code requires}).
 */
module io.vecml.blas {
    exports io.vecml.blas;
}
