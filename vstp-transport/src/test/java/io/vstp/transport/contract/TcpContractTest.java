package io.vstp.transport.contract;

import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpServer;

/** The transport contract over plain TCP (wire v2, negotiated). */
class TcpContractTest extends TransportContract {
    @Override
    Connection connect(Responder responder) throws Exception {
        return StreamConnection.start(
                VstpServer.builder().plain(),
                VstpClient.builder().plain().threads(1).build(),
                responder);
    }
}
