package io.vstp.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

/**
 * The test helper's one native call: a TLS test once crashed with "NullPointerException: ssl" when it asked a freed
 * OpenSSL engine whether its session was resumed (issue 27). A freed engine answers "unknown".
 */
class TlsLoopbackTest {
    @Test
    void aFreedOpenSslEngineAnswersUnknownResumption() throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "netty-tcnative is not available here");
        SslContext context = SslContextBuilder.forClient()
                .sslProvider(SslProvider.OPENSSL_REFCNT)
                .build();
        SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT);
        try {
            assertThat(engine).isInstanceOf(ReferenceCountedOpenSslEngine.class);
            assertThat(TlsLoopback.Outcome.resumed(engine))
                    .as("before any handshake")
                    .isFalse();
            ((ReferenceCountedOpenSslEngine) engine).shutdown(); // what a refused handshake's close does
            assertThat(TlsLoopback.Outcome.resumed(engine))
                    .as("after the engine is freed")
                    .isNull();
        } finally {
            ReferenceCountUtil.release(engine);
            ReferenceCountUtil.release(context);
        }
    }
}
