package io.vecml.spark;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * How a features column holds its rows: {@code binary} (one uint8 per feature), {@code array<float>}
 * (or {@code array<double>}), or an ML {@code Vector}. Doubles become float32: the engine computes in
 * float32, as vecml does with every file it reads.
 */
enum FeatureKind {
    BINARY, FLOAT_ARRAY, DOUBLE_ARRAY, VECTOR;

    /** The kind of column {@code col} of {@code schema}, or a clear error. */
    static FeatureKind of(StructType schema, String col) {
        if (!java.util.Arrays.asList(schema.fieldNames()).contains(col)) {
            throw new IllegalArgumentException("the DataFrame has no column '" + col + "' (columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
        DataType t = schema.apply(col).dataType();
        if (t.equals(DataTypes.BinaryType)) {
            return BINARY;
        }
        if (t instanceof ArrayType a && a.elementType().equals(DataTypes.FloatType)) {
            return FLOAT_ARRAY;
        }
        if (t instanceof ArrayType a && a.elementType().equals(DataTypes.DoubleType)) {
            return DOUBLE_ARRAY;
        }
        if (t.equals(SQLDataTypes.VectorType())) {
            return VECTOR;
        }
        throw new IllegalArgumentException("column '" + col + "' is " + t.simpleString()
                + "; expected an ML Vector, array<float>, array<double> or binary (uint8 features)");
    }

    boolean uint8() {
        return this == BINARY;
    }

    /**
     * The features of {@code row}'s field {@code i}: a byte[] (uint8) or a float[]; null for a null value.
     *
     * @throws IllegalArgumentException for a null element or a non-finite value, naming {@code what}
     */
    Object read(Row row, int i, String what) {
        if (row.isNullAt(i)) {
            return null;
        }
        switch (this) {
            case BINARY:
                return row.<byte[]>getAs(i);
            case VECTOR: {
                Vector v = row.getAs(i);
                float[] out = new float[v.size()];
                for (int c = 0; c < out.length; c++) {
                    out[c] = finite((float) v.apply(c), what, c);
                }
                return out;
            }
            default: {
                scala.collection.Seq<Object> s = row.getSeq(i);
                float[] out = new float[s.length()];
                for (int c = 0; c < out.length; c++) {
                    Object o = s.apply(c);
                    if (o == null) {
                        throw new IllegalArgumentException(what + " has a null at feature " + c);
                    }
                    out[c] = finite(((Number) o).floatValue(), what, c);
                }
                return out;
            }
        }
    }

    private static float finite(float v, String what, int c) {
        if (!Float.isFinite(v)) {
            throw new IllegalArgumentException(what + " has " + v + " at feature " + c + " (vecml needs finite values)");
        }
        return v;
    }

    /** Number of features of a value returned by {@link #read}. */
    static int length(Object features) {
        return features instanceof byte[] b ? b.length : ((float[]) features).length;
    }
}
