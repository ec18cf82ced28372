package io.vecml.blas;

/** Run in a child JVM by {@link CoreTypeForkTest}: loads OpenBLAS as vecml does and prints core, origin, config. */
public final class CoreTypeProbe {

    private CoreTypeProbe() {
    }

    public static void main(String[] args) {
        OpenBlasLoader.Result r = OpenBlasLoader.load();
        if (r.blas().isEmpty()) {
            System.out.println("NOT LOADED\t" + r.summary());
            return;
        }
        OpenBlas b = r.blas().get();
        System.out.println(b.coreName() + "\t" + b.coreOrigin() + "\t" + b.config());
    }
}
