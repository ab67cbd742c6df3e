package io.vstp.transport.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.v1.FrameReader;
import io.vstp.core.frame.Frame;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import io.vstp.transport.udp.DatagramLink;
import io.vstp.transport.udp.ForwardingDatagramLink;
import io.vstp.transport.udp.NettyDatagramLink;
import io.vstp.transport.udp.VstpUdpEndpoint;
import io.vstp.transport.udp.dtls.DtlsClientOptions;
import io.vstp.transport.udp.dtls.DtlsDatagramLink;
import io.vstp.transport.udp.dtls.DtlsServerOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hand-driven UDP peer, in plaintext or inside DTLS: sends whatever datagrams a test writes (forged
 * acknowledgements, floods, requests it never acknowledges) and collects what comes back, counting the bytes on the
 * wire. Over DTLS it completes a real handshake first, so the same attack runs against a server's default security
 * as against a plain one. For tests that must send what no well-behaved endpoint would.
 */
public final class DatagramPeer implements AutoCloseable {
    /** How the peer reaches the server. */
    public enum Security {
        PLAIN,
        DTLS;

        /** A server endpoint builder of this kind, its DTLS credentials (if any) under {@code serverHome}. */
        public VstpUdpEndpoint.Builder server(Path serverHome) {
            return this == PLAIN
                    ? VstpUdpEndpoint.builder().plain()
                    : VstpUdpEndpoint.builder()
                            .dtlsServer(DtlsServerOptions.builder()
                                    .tls(TlsServerOptions.builder()
                                            .home(serverHome)
                                            .build())
                                    .build());
        }

        /** A well-behaved client endpoint builder of this kind, its DTLS state (if any) under {@code clientHome}. */
        public VstpUdpEndpoint.Builder client(Path clientHome) {
            return this == PLAIN
                    ? VstpUdpEndpoint.builder().plain()
                    : VstpUdpEndpoint.builder().dtlsClient(clientOptions(clientHome));
        }

        /** A peer of this kind talking to {@code server}; over DTLS the handshake is done when this returns. */
        public DatagramPeer peer(InetSocketAddress server, Path clientHome) throws InterruptedException {
            return this == PLAIN ? plain(server) : dtls(server, clientHome);
        }
    }

    private static final int MAX_DATAGRAM = 1200;

    private final InetSocketAddress server;
    private final DatagramLink link;
    /** The socket under any DTLS: a send waits while its queue is full instead of being dropped. */
    private final DatagramLink socket;

    private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    /** Bytes in and out on the socket, below any DTLS. */
    private final AtomicLong wireBytesIn;

    private final AtomicLong wireBytesOut;

    private DatagramPeer(
            InetSocketAddress server, DatagramLink link, DatagramLink socket, AtomicLong in, AtomicLong out) {
        this.server = server;
        this.link = link;
        this.socket = socket;
        this.wireBytesIn = in;
        this.wireBytesOut = out;
        link.receiver((sender, datagram) -> {
            try {
                received.add(ByteBufUtil.getBytes(datagram));
            } finally {
                datagram.release();
            }
        });
    }

    /** A plaintext peer on its own socket. */
    public static DatagramPeer plain(InetSocketAddress server) throws InterruptedException {
        return open(server, null);
    }

    /** A DTLS peer on its own socket, handshake completed (trust on first use, state under {@code home}). */
    public static DatagramPeer dtls(InetSocketAddress server, Path home) throws InterruptedException {
        return open(server, clientOptions(home));
    }

    private static DtlsClientOptions clientOptions(Path home) {
        return DtlsClientOptions.builder()
                .tls(TlsClientOptions.builder()
                        .home(home)
                        .trustSystemCertificates(false)
                        .build())
                .build();
    }

    private static DatagramPeer open(InetSocketAddress server, DtlsClientOptions dtls) throws InterruptedException {
        AtomicLong in = new AtomicLong();
        AtomicLong out = new AtomicLong();
        DatagramLink socket = new Counting(
                NettyDatagramLink.bind(new InetSocketAddress("127.0.0.1", 0), null, MAX_DATAGRAM), in, out);
        DatagramLink link = socket;
        if (dtls != null) {
            DtlsDatagramLink secured;
            try {
                secured = DtlsDatagramLink.client(link, dtls);
            } catch (RuntimeException e) {
                link.close();
                throw e;
            }
            link = secured;
        }
        DatagramPeer peer = new DatagramPeer(server, link, socket, in, out);
        if (link instanceof DtlsDatagramLink d) {
            try {
                d.connect(server).get(15, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                link.close();
                throw new IllegalStateException("DTLS handshake with " + server + " failed", e);
            }
        }
        return peer;
    }

    /**
     * Sends one datagram (its plaintext: over DTLS it goes inside one record), first waiting up to 5 s for room in
     * the socket's queue, so a fast loop of sends loses none on this side.
     */
    public DatagramPeer send(byte[] datagram) throws InterruptedException {
        if (datagram.length == 0 && link == socket) {
            // Netty's datagram channel never sends an empty datagram (VSTP has none), and a hostile peer would.
            try (java.net.DatagramSocket once = new java.net.DatagramSocket()) {
                once.send(new java.net.DatagramPacket(datagram, 0, server));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return this;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!socket.isWritable()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the socket stayed unwritable for 5 s");
            }
            Thread.sleep(1); // on every send: a plain bounded wait, cheaper than a poller per datagram
        }
        link.send(server, Unpooled.wrappedBuffer(datagram));
        return this;
    }

    /**
     * Waits until every datagram sent so far has left through the socket: sends are queued on the socket's event
     * loop (and over DTLS encrypted there), so a test that must know they went first, before other traffic, says so.
     */
    public DatagramPeer sync() throws Exception {
        // Each hop runs after what the previous one queued: the send (and encryption), then the flush.
        for (int hop = 0; hop < 3; hop++) {
            socket.eventLoop().submit(() -> {}).get(5, TimeUnit.SECONDS);
        }
        return this;
    }

    /** Encodes {@code frame} as a v1 datagram, sends it and releases the frame. */
    public DatagramPeer send(Frame frame) throws InterruptedException {
        return send(io.vstp.core.testing.FrameBytes.v1(frame));
    }

    /** The next datagram's plaintext, or null if none arrives within {@code millis}. */
    public byte[] next(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** The v1 frames of every datagram that arrives within {@code millis}; the caller releases them. */
    public List<Frame> frames(long millis) throws InterruptedException {
        List<Frame> out = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        FrameReader reader = new FrameReader();
        for (long left = millis; left > 0; left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())) {
            byte[] d = received.poll(left, TimeUnit.MILLISECONDS);
            if (d == null) {
                break;
            }
            Frame f = reader.read(Unpooled.wrappedBuffer(d));
            if (f != null) {
                out.add(f);
            }
        }
        return out;
    }

    /** Bytes received on the socket so far: ciphertext over DTLS, handshake included. */
    public long wireBytesIn() {
        return wireBytesIn.get();
    }

    /** Bytes sent on the socket so far: ciphertext over DTLS, handshake included. */
    public long wireBytesOut() {
        return wireBytesOut.get();
    }

    /** The largest datagram this peer can send (less inside DTLS records). */
    public int maxDatagramSize() {
        return link.maxDatagramSize();
    }

    public InetSocketAddress localAddress() {
        return link.localAddress();
    }

    @Override
    public void close() {
        link.close();
    }

    /** Counts what crosses the socket, below any DTLS. */
    private static final class Counting extends ForwardingDatagramLink {
        private final AtomicLong in;
        private final AtomicLong out;

        Counting(DatagramLink inner, AtomicLong in, AtomicLong out) {
            super(inner);
            this.in = in;
            this.out = out;
        }

        @Override
        public void send(InetSocketAddress peer, ByteBuf datagram) {
            out.addAndGet(datagram.readableBytes());
            super.send(peer, datagram);
        }

        @Override
        public void receiver(Receiver r) {
            super.receiver((sender, datagram) -> {
                in.addAndGet(datagram.readableBytes());
                r.receive(sender, datagram);
            });
        }
    }
}
