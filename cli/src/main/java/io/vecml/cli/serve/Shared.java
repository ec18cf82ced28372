package io.vecml.cli.serve;

/**
 * Reference counting for something requests use while it may be deleted: {@link #acquire} before a
 * use, {@link #release} after it; {@link #retire} (delete, shutdown) frees it at once when nobody
 * uses it, or else when the last user releases it. Once retired it cannot be acquired again.
 */
abstract class Shared {

    private int users;
    private boolean retired;
    private boolean freed;

    /** Takes a reference; false when already retired. */
    final synchronized boolean acquire() {
        if (retired) {
            return false;
        }
        users++;
        return true;
    }

    /** Gives back a reference taken by {@link #acquire}. */
    final void release() {
        boolean free;
        synchronized (this) {
            if (users <= 0) {
                throw new IllegalStateException("release without acquire");
            }
            users--;
            free = retired && users == 0 && !freed;
            freed |= free;
        }
        if (free) {
            free();
        }
    }

    /** Marks this retired; frees it now if unused. Idempotent. */
    final void retire() {
        boolean free;
        synchronized (this) {
            retired = true;
            free = users == 0 && !freed;
            freed |= free;
        }
        if (free) {
            free();
        }
    }

    /** Whether the memory has been given back (tests). */
    final synchronized boolean freed() {
        return freed;
    }

    /** Frees the resources; called exactly once, by the thread that saw the count reach zero. */
    protected abstract void free();

    /** A use of a {@link Shared}, for try-with-resources. */
    record Lease<T extends Shared>(T value) implements AutoCloseable {
        @Override
        public void close() {
            value.release();
        }
    }
}
