package io.vstp.bench.suite;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/** Every system the suite can measure, by the name {@code --peer} takes. */
final class Peers {
    private static final Map<String, Supplier<Peer>> ALL = new TreeMap<>(Map.of(
            "vstp-tcp", () -> new VstpTcpPeer(false),
            "vstp-tls", () -> new VstpTcpPeer(true),
            "vstp-udp", () -> new VstpUdpPeer(false),
            "vstp-dtls", () -> new VstpUdpPeer(true),
            "netty-tcp", NettyTcpPeer::new,
            "grpc", () -> new GrpcPeer(false),
            "grpc-tls", () -> new GrpcPeer(true),
            "rsocket", RsocketPeer::new,
            "aeron", AeronPeer::new));

    private Peers() {}

    static Peer create(String name) {
        Supplier<Peer> s = ALL.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown peer " + name + "; known: " + names());
        }
        return s.get();
    }

    static List<String> names() {
        return List.copyOf(ALL.keySet());
    }
}
