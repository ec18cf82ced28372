package io.vecml.spark;

/** Placeholder main class of the application jar (replaced below). */
public final class SparkMain {
    private SparkMain() {
    }

    public static void main(String[] args) {
        System.out.println("vecml-spark");
    }
}
