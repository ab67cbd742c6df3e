package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import io.vstp.transport.udp.dtls.DtlsClientOptions;
import io.vstp.transport.udp.dtls.DtlsServerOptions;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The UDP endpoint with its default security: DTLS, end to end over real sockets. */
class SecureUdpEndpointTest {
    @TempDir
    Path serverHome;

    @TempDir
    Path clientHome;

    @Test
    void reliableFramesOverDtlsAndPlaintextIsNotDelivered() throws Exception {
        BlockingQueue<Frame> got = new LinkedBlockingQueue<>();
        try (VstpUdpEndpoint server = VstpUdpEndpoint.builder()
                        .dtlsServer(DtlsServerOptions.builder()
                                .tls(TlsServerOptions.builder().home(serverHome).build())
                                .build())
                        .handler((peer, f) -> got.add(f))
                        .start();
                VstpUdpEndpoint client = VstpUdpEndpoint.builder()
                        .dtlsClient(DtlsClientOptions.builder()
                                .tls(TlsClientOptions.builder().home(clientHome).build())
                                .build())
                        .start();
                VstpUdpEndpoint intruder = VstpUdpEndpoint.builder().plain().start()) {
            client.sendReliable(
                            server.localAddress(),
                            Frame.builder(FrameType.DATA)
                                    .payload("secret hello")
                                    .build())
                    .get(15, TimeUnit.SECONDS);
            byte[] big = new byte[1 << 20];
            new Random(3).nextBytes(big);
            client.sendReliable(
                            server.localAddress(),
                            Frame.builder(FrameType.DATA)
                                    .payload(Unpooled.wrappedBuffer(big))
                                    .build())
                    .get(30, TimeUnit.SECONDS);
            Frame a = got.poll(5, TimeUnit.SECONDS);
            Frame b = got.poll(5, TimeUnit.SECONDS);
            assertThat(a.payloadAsString()).isEqualTo("secret hello");
            assertThat(b.payloadBytes()).isEqualTo(big);
            a.release();
            b.release();

            intruder.send(
                            server.localAddress(),
                            Frame.builder(FrameType.DATA).payload("plaintext").build())
                    .get(5, TimeUnit.SECONDS);
            assertThat(got.poll(300, TimeUnit.MILLISECONDS))
                    .as("plaintext never reaches the handler")
                    .isNull();
        }
    }
}
