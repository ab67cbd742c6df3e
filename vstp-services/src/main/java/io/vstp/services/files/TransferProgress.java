package io.vstp.services.files;

/**
 * What a transfer reports while it runs, such as a progress bar. Called on the thread that runs the transfer.
 */
public interface TransferProgress {
    /** Reports nothing. */
    TransferProgress NONE = new TransferProgress() {};

    /**
     * The size is known and the transfer starts.
     *
     * @param total bytes of the whole file
     * @param done  bytes already there before this transfer (a resumed upload or download), which it does not send
     */
    default void start(long total, long done) {}

    /**
     * More of the file is through.
     *
     * @param done bytes of the file confirmed so far, counting those that were already there
     */
    default void update(long done) {}

    /** The file is through and verified. */
    default void finish() {}
}
