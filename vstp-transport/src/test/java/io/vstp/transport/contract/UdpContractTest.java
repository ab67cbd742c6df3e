package io.vstp.transport.contract;

import io.vstp.transport.udp.VstpUdpEndpoint;

/** The transport contract over plain UDP: reliable delivery, fragments for what exceeds a datagram. */
class UdpContractTest extends TransportContract {
    @Override
    Connection connect(Responder responder) throws Exception {
        return DatagramRequests.start(
                VstpUdpEndpoint.builder().plain(), VstpUdpEndpoint.builder().plain(), responder);
    }
}
