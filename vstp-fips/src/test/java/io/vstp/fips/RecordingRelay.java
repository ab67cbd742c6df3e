package io.vstp.fips;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP relay on 127.0.0.1 in front of a server, for one client connection, that keeps the first bytes the server
 * sends. TLS 1.3 sends its ServerHello in the clear, so they show what the server chose, whatever the TLS stack
 * on either side reports about itself.
 */
final class RecordingRelay implements AutoCloseable {
    private static final int KEPT_BYTES = 16 * 1024;

    private final ServerSocket listener;
    private final int serverPort;
    private final ByteArrayOutputStream fromServer = new ByteArrayOutputStream();
    private final List<Socket> sockets = new ArrayList<>();
    private final Thread acceptor;

    RecordingRelay(int serverPort) throws IOException {
        this.serverPort = serverPort;
        this.listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::relayOne, "relay-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The first bytes (up to 16 KiB) the server sent. */
    synchronized byte[] fromServer() {
        return fromServer.toByteArray();
    }

    private void relayOne() {
        try {
            Socket client = listener.accept();
            Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
            synchronized (this) {
                sockets.add(client);
                sockets.add(server);
            }
            copy("relay-to-server", client.getInputStream(), server.getOutputStream(), false);
            copy("relay-to-client", server.getInputStream(), client.getOutputStream(), true);
        } catch (IOException e) {
            // closed before a client came: nothing to relay
        }
    }

    private void copy(String name, InputStream in, OutputStream out, boolean record) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[8192];
                    try {
                        for (int n; (n = in.read(buffer)) > 0; ) {
                            if (record) {
                                synchronized (this) {
                                    fromServer.write(
                                            buffer, 0, Math.min(n, Math.max(0, KEPT_BYTES - fromServer.size())));
                                }
                            }
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // one side closed: the relay ends with it
                    } finally {
                        close();
                    }
                },
                name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public synchronized void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
