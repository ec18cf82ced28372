package io.vecml.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * A training set cut into shards of consecutive global row indices (each shard's rows in index order),
 * cached in the executors, with the checks every face of vecml makes (no null rows, one number of
 * features, integral class labels) reported on the driver as one clear error naming the first bad row.
 *
 * @param shards  one {@link Block} per partition (possibly empty), cached
 * @param rows    training rows
 * @param dims    features per row
 * @param uint8   whether the features are uint8 (a binary column)
 * @param classes largest label + 1
 */
record TrainingShards(JavaRDD<Block> shards, long rows, int dims, boolean uint8, int classes) {

    /** One input row before the shuffle: features (byte[] or float[]) and label, or what is wrong with it. */
    record Item(Object features, int label, String error) implements Serializable {
    }

    /** What a shard says about itself once built. */
    record Summary(int rows, int dims, long firstIndex, long errorIndex, String error, int maxLabel)
            implements Serializable {
    }

    /** Partition = shard of consecutive indices: {@code floor(index * shards / rows)}. */
    static final class IndexRanges extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int shards;
        private final long rows;

        IndexRanges(int shards, long rows) {
            this.shards = shards;
            this.rows = Math.max(1, rows);
        }

        @Override
        public int numPartitions() {
            return shards;
        }

        @Override
        public int getPartition(Object key) {
            long i = (Long) key;
            return (int) Math.min(shards - 1, Math.multiplyExact(i, shards) / rows);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof IndexRanges r && r.shards == shards && r.rows == rows;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(rows) * 31 + shards;
        }
    }

    /** Converts a DataFrame row (features at 0, label at 1) to an {@link Item}; {@code what} names the row. */
    static Item item(Row r, FeatureKind kind, String featuresCol, String labelCol, long index) {
        String what = "row " + index + " (column '" + featuresCol + "')";
        try {
            Object f = kind.read(r, 0, what);
            if (f == null) {
                return new Item(null, 0, "row " + index + " has a null in column '" + featuresCol + "'");
            }
            if (r.isNullAt(1)) {
                return new Item(null, 0, "row " + index + " has a null label (column '" + labelCol + "')");
            }
            double l = ((Number) r.get(1)).doubleValue();
            if (!(l >= 0 && l <= Integer.MAX_VALUE - 1 && l == Math.rint(l))) {
                return new Item(null, 0, "row " + index + " has label " + l + " in column '" + labelCol
                        + "'; expected a class index 0, 1, 2, ...");
            }
            return new Item(f, (int) l, null);
        } catch (IllegalArgumentException e) {
            return new Item(null, 0, e.getMessage());
        }
    }

    /** Checks the label column's type (numeric), naming it. */
    static void requireNumeric(org.apache.spark.sql.types.StructType schema, String col) {
        if (!java.util.Arrays.asList(schema.fieldNames()).contains(col)) {
            throw new IllegalArgumentException("the DataFrame has no label column '" + col + "' (columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
        DataType t = schema.apply(col).dataType();
        if (!(t instanceof NumericType)) {
            throw new IllegalArgumentException("label column '" + col + "' is " + t.simpleString()
                    + "; expected numbers (class indices 0, 1, 2, ...)");
        }
    }

    /**
     * Shards {@code items} (keyed by global index 0..rows-1) and checks them.
     *
     * @param numShards 0: one shard per partition of {@code items}, which must then hold consecutive indices
     *                  in order in each partition (what {@code zipWithIndex} gives), so no shuffle is needed;
     *                  otherwise that many shards of consecutive indices (one shuffle), {@code rows} known
     * @param source    names the data in errors ("the training DataFrame")
     */
    static TrainingShards build(JavaPairRDD<Long, Item> items, long rows, int numShards, boolean uint8,
            String source) {
        if (numShards > 0 && rows == 0) {
            throw new IllegalArgumentException(source + " has no rows");
        }
        JavaPairRDD<Long, Item> placed = numShards == 0 ? items
                : items.repartitionAndSortWithinPartitions(new IndexRanges(numShards, rows));
        JavaRDD<Block> shards = placed.mapPartitions(TrainingShards::shard, true)
                .persist(StorageLevel.MEMORY_ONLY());
        List<Summary> sums;
        try {
            sums = shards.map(TrainingShards::summary).collect();
        } catch (RuntimeException e) {
            shards.unpersist(false);
            throw e;
        }
        Summary bad = null;
        Summary first = null;
        int maxLabel = 0;
        for (Summary s : sums) {
            if (s.error() != null && (bad == null || s.errorIndex() < bad.errorIndex())) {
                bad = s;
            }
            if (s.rows() > 0 && first == null) {
                first = s;
            }
            maxLabel = Math.max(maxLabel, s.maxLabel());
        }
        if (bad == null) {
            for (Summary s : sums) {
                if (s.rows() > 0 && s.dims() != first.dims()) {
                    bad = new Summary(0, 0, 0, s.firstIndex(), "row " + s.firstIndex() + " has " + s.dims()
                            + " features but row " + first.firstIndex() + " has " + first.dims(), 0);
                    break;
                }
            }
        }
        long total = 0;
        for (Summary s : sums) {
            total += s.rows();
        }
        if (bad == null && first == null) {
            shards.unpersist(false);
            throw new IllegalArgumentException(source + " has no rows");
        }
        if (bad == null && first.dims() == 0) {
            bad = new Summary(0, 0, 0, 0, "rows have 0 features", 0);
        }
        if (bad != null) {
            shards.unpersist(false);
            throw new IllegalArgumentException(source + ": " + bad.error());
        }
        return new TrainingShards(shards, total, first.dims(), uint8, maxLabel + 1);
    }

    private static Iterator<Block> shard(Iterator<Tuple2<Long, Item>> it) {
        List<Object> feats = new ArrayList<>();
        List<Long> idx = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int dims = -1;
        boolean u8 = true;
        String error = null;
        long errorIndex = -1;
        while (it.hasNext()) {
            Tuple2<Long, Item> t = it.next();
            Item item = t._2();
            if (item.error() != null) {
                error = item.error();
                errorIndex = t._1();
                break;
            }
            int d = FeatureKind.length(item.features());
            if (dims < 0) {
                dims = d;
                u8 = item.features() instanceof byte[];
            } else if (d != dims) {
                error = "row " + t._1() + " has " + d + " features but row " + idx.get(0) + " has " + dims;
                errorIndex = t._1();
                break;
            }
            feats.add(item.features());
            idx.add(t._1());
            labels.add(item.label());
        }
        if (error != null) {
            return List.of(new Block(0, 0, new byte[0], null, new int[0], new long[0]).withError(error, errorIndex))
                    .iterator();
        }
        long[] index = idx.stream().mapToLong(Long::longValue).toArray();
        int[] lab = labels.stream().mapToInt(Integer::intValue).toArray();
        return List.of(Block.of(feats, Math.max(dims, 0), u8, lab, index)).iterator();
    }

    private static Summary summary(Block b) {
        int maxLabel = 0;
        for (int l : b.labels) {
            maxLabel = Math.max(maxLabel, l);
        }
        return new Summary(b.rows, b.dims, b.rows > 0 ? b.index[0] : -1, b.errorIndex, b.error, maxLabel);
    }

    /** Frees the cached shards. */
    void release() {
        shards.unpersist(false);
    }
}
