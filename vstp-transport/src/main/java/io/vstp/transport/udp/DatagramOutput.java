package io.vstp.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.vstp.core.codec.v2.V2Datagrams;
import io.vstp.core.frame.Frame;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Where an endpoint's frames become datagrams on its link. Fragments and everything to a v1 peer go as one v1 frame
 * per datagram (udp.md §1, §4). For a peer that speaks v2, the frames ready for it during one event-loop task share
 * v2 datagrams (wire-v2.md §11): a datagram leaves when full, the rest at the end of the task.
 *
 * <p>Not thread-safe: runs on the endpoint's event loop.
 */
final class DatagramOutput implements ReliableSender.Output {
    private final DatagramLink link;
    private final EventLoop loop;
    private final UdpFrames frames;
    private final UdpStats stats;
    private final boolean wireV2;
    private final Predicate<InetSocketAddress> speaksV2;
    private final Map<InetSocketAddress, V2Datagrams.Batch> batches = new HashMap<>();
    private boolean flushScheduled;

    /** {@code speaksV2} says which peers get v2 datagrams; {@code wireV2} false keeps every datagram v1. */
    DatagramOutput(
            DatagramLink link,
            UdpFrames frames,
            UdpStats stats,
            boolean wireV2,
            Predicate<InetSocketAddress> speaksV2) {
        this.link = link;
        this.loop = link.eventLoop();
        this.frames = frames;
        this.stats = stats;
        this.wireV2 = wireV2;
        this.speaksV2 = speaksV2;
    }

    @Override
    public boolean writable() {
        return link.isWritable();
    }

    @Override
    public void sendFrame(InetSocketAddress peer, Frame frame) {
        sendV1(peer, frame); // fragments stay v1 frames in both wires (wire-v2.md §11)
    }

    @Override
    public void sendEncoded(InetSocketAddress peer, ByteBuf datagram) {
        if (!V2Datagrams.isV2(datagram)) {
            link.send(peer, datagram);
            return;
        }
        // A one-frame v2 message: its frame joins whatever else goes to the peer in this task.
        ByteBuf frame = datagram.slice(
                datagram.readerIndex() + V2Datagrams.MARKER.length,
                datagram.readableBytes() - V2Datagrams.MARKER.length);
        try {
            batch(peer, b -> b.addEncoded(frame));
        } finally {
            datagram.release();
        }
    }

    /**
     * An ACK or SACK: batched for a v2 peer; otherwise a v1 datagram, which announces v2 to a peer that may speak
     * it (wire-v2.md §10, UDP). Takes over {@code frame}.
     */
    void sendAck(InetSocketAddress peer, Frame frame) {
        if (speaksV2.test(peer)) {
            try {
                batch(peer, b -> b.add(frame));
            } finally {
                frame.release();
            }
            return;
        }
        sendV1(peer, wireV2 ? UdpFrames.announcingV2(frame) : frame);
    }

    /** One v1 frame in one datagram: fragments always (udp.md §4), and everything towards a v1 peer. */
    void sendV1(InetSocketAddress peer, Frame frame) {
        link.send(peer, frames.encodeDatagram(frame));
    }

    /** Drops what waits to be sent (the endpoint is closing). */
    void discard() {
        batches.values().forEach(V2Datagrams.Batch::discard);
        batches.clear();
    }

    /** Adds to the peer's datagram of this event-loop task; a full datagram leaves at once. */
    private void batch(InetSocketAddress peer, Predicate<V2Datagrams.Batch> add) {
        V2Datagrams.Batch b = batches.get(peer);
        if (b == null) {
            b = frames.newBatch();
            batches.put(peer, b);
        }
        if (!add.test(b)) {
            sendBatch(peer, b);
            add.test(b);
        }
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(this::flush);
        }
    }

    private void sendBatch(InetSocketAddress peer, V2Datagrams.Batch b) {
        int count = b.frameCount();
        ByteBuf datagram = b.take();
        if (datagram != null) {
            stats.countV2Datagram(count);
            link.send(peer, datagram);
        }
    }

    private void flush() {
        flushScheduled = false;
        batches.forEach(this::sendBatch);
        batches.clear();
    }
}
