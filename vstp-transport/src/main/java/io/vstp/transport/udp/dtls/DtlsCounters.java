package io.vstp.transport.udp.dtls;

/**
 * A snapshot of what a {@link DtlsDatagramLink} dropped and how its handshakes went. Drops are counted, never
 * thrown or logged above DEBUG: UDP senders above the link retransmit, and an attacker must not be able to fill
 * the log.
 *
 * @param droppedNoAssociation     datagrams from an address with no association that could not start one: on a
 *                                 client, anything from a server it has not connected to; on a server, anything
 *                                 that is not a ClientHello
 * @param droppedBadRecords        datagrams from an associated peer in which no record authenticated (garbage,
 *                                 replays, forged or truncated records)
 * @param droppedQueueFull         datagrams dropped because an association's queue was full (inbound while its
 *                                 handshake runs, or outbound waiting for {@code connect})
 * @param droppedOversized         plaintext datagrams larger than {@link DtlsDatagramLink#maxDatagramSize()}
 * @param droppedNotConnected      plaintext datagrams to a peer with no association on a server, or whose
 *                                 association failed or closed before they could be sent
 * @param droppedAssociationLimit  ClientHellos (server) or sends to new servers (client) refused because
 *                                 {@code maxAssociations} associations exist
 * @param helloVerifyRequests      cookie challenges sent (server)
 * @param handshakesSucceeded      handshakes completed, full or resumed
 * @param handshakesFailed         handshakes that failed or timed out
 * @param handshakesResumed        of the succeeded ones, those that resumed a session
 * @param associations             associations now (established or handshaking)
 */
public record DtlsCounters(
        long droppedNoAssociation,
        long droppedBadRecords,
        long droppedQueueFull,
        long droppedOversized,
        long droppedNotConnected,
        long droppedAssociationLimit,
        long helloVerifyRequests,
        long handshakesSucceeded,
        long handshakesFailed,
        long handshakesResumed,
        int associations) {

    /** All datagrams dropped, for any reason. */
    public long dropped() {
        return droppedNoAssociation
                + droppedBadRecords
                + droppedQueueFull
                + droppedOversized
                + droppedNotConnected
                + droppedAssociationLimit;
    }
}
