package io.vstp.crypto.qkd;

/**
 * The Status object of ETSI GS QKD 014: what the KME of the calling SAE can deliver for one pair of SAEs.
 * Sizes are in bits; counts are numbers of keys.
 *
 * @param sourceKmeId      the KME the calling SAE talks to
 * @param targetKmeId      the KME of the slave SAE
 * @param masterSaeId      the calling SAE
 * @param slaveSaeId       the SAE the keys are shared with
 * @param keySize          the size of a key when a request does not give one
 * @param storedKeyCount   how many keys the KME can deliver now
 * @param maxKeyCount      how many keys the KME can hold for the pair
 * @param maxKeyPerRequest the most keys one request may ask for
 * @param maxKeySize       the largest key size the KME delivers
 * @param minKeySize       the smallest key size the KME delivers
 * @param maxSaeIdCount    how many additional slave SAEs a request may name (0: none)
 */
public record KmeStatus(
        String sourceKmeId,
        String targetKmeId,
        String masterSaeId,
        String slaveSaeId,
        int keySize,
        int storedKeyCount,
        int maxKeyCount,
        int maxKeyPerRequest,
        int maxKeySize,
        int minKeySize,
        int maxSaeIdCount) {

    static final String SOURCE_KME_ID = "source_KME_ID";
    static final String TARGET_KME_ID = "target_KME_ID";
    static final String MASTER_SAE_ID = "master_SAE_ID";
    static final String SLAVE_SAE_ID = "slave_SAE_ID";
    static final String KEY_SIZE = "key_size";
    static final String STORED_KEY_COUNT = "stored_key_count";
    static final String MAX_KEY_COUNT = "max_key_count";
    static final String MAX_KEY_PER_REQUEST = "max_key_per_request";
    static final String MAX_KEY_SIZE = "max_key_size";
    static final String MIN_KEY_SIZE = "min_key_size";
    static final String MAX_SAE_ID_COUNT = "max_SAE_ID_count";
}
