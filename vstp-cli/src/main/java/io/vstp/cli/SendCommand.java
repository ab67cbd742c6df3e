package io.vstp.cli;

import io.netty.buffer.Unpooled;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.services.Requester;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vstp send}: one frame to a server, and its reply printed. */
@Command(
        name = "send",
        mixinStandardHelpOptions = true,
        description = "Send one frame and print the reply (the echo service answers frames naming no service).")
final class SendCommand implements Callable<Integer> {
    @Parameters(paramLabel = "HOST[:PORT]", description = "Server (default port 6969).")
    String server;

    @Option(
            names = "--type",
            defaultValue = "DATA",
            description = "Frame type: DATA, PING, ACK, ... (default ${DEFAULT-VALUE}).")
    String type;

    @Option(
            names = {"-H", "--header"},
            paramLabel = "KEY=VALUE",
            description = "A header; repeatable, order kept.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--data", paramLabel = "TEXT", description = "Payload text (UTF-8).")
    String data;

    @Option(names = "--file", paramLabel = "FILE", description = "Payload from a file (default: stdin when piped).")
    Path file;

    @Option(names = "--udp", description = "Over UDP (DTLS unless --plain) instead of TCP.")
    boolean udp;

    @Option(names = "--ack", description = "Set REQ_ACK; over UDP, wait only for the acknowledgement, no reply.")
    boolean ack;

    @Option(names = "--json", description = "Print the reply as one line of JSON.")
    boolean json;

    @Mixin
    ClientOptions client;

    @Mixin
    LegacyPeerOption legacy;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Target target = Target.parse(server);
        legacy.apply(
                io.vstp.transport.VstpClient.builder(),
                client.plain,
                udp,
                client.timeout,
                client.tokens() != null); // checks the choice
        client.legacyPeer = legacy;
        Frame frame = build();
        PrintWriter out = spec.commandLine().getOut();
        if (udp && ack) {
            try (var endpoint = udpEndpoint(target)) {
                endpoint.sendReliable(new java.net.InetSocketAddress(target.host(), target.port()), frame)
                        .get(client.timeout.toMillis(), TimeUnit.MILLISECONDS);
                out.println(json ? "{\"acknowledged\":true}" : "acknowledged by " + target);
                return ExitCodes.OK;
            } catch (ExecutionException e) {
                throw ClientOptions.translate(VstpCommand.unwrap(e), target);
            } catch (TimeoutException e) {
                throw new CliException(ExitCodes.UNREACHABLE, "no acknowledgement from " + target);
            }
        }
        try (Requester requester = Requesters.open(client, target, udp)) {
            Frame reply;
            try {
                reply = requester.request(frame).get(client.timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw ClientOptions.translate(VstpCommand.unwrap(e), target);
            } catch (TimeoutException e) {
                throw new CliException(ExitCodes.UNREACHABLE, "no reply from " + target);
            }
            try {
                out.println(json ? FrameFormat.json(reply) : FrameFormat.human(reply, 4096));
            } finally {
                reply.release();
            }
            // With --json, stdout stays one line holding the reply alone, for scripts to parse.
            if (!json) {
                out.println("over " + requester.security());
            } else if (verbose()) {
                spec.commandLine().getErr().println("vstp: over " + requester.security());
            }
        }
        return ExitCodes.OK;
    }

    /** {@code --verbose}, inherited from {@link VstpCommand}, whichever side of {@code send} it was given. */
    private boolean verbose() {
        picocli.CommandLine.Model.OptionSpec option = spec.findOption("--verbose");
        return option != null && Boolean.TRUE.equals(option.getValue());
    }

    private io.vstp.transport.udp.VstpUdpEndpoint udpEndpoint(Target target) throws InterruptedException {
        return UdpClientEndpoints.open(
                target, client.plain ? null : client.dtls(), client.timeout, (peer, frame) -> frame.release());
    }

    private Frame build() throws IOException {
        FrameType t = FrameTypeRegistry.V1.types().stream()
                .filter(x -> x.name().equalsIgnoreCase(type))
                .findFirst()
                .orElseThrow(() -> new CliException(
                        ExitCodes.USAGE,
                        "unknown frame type '" + type + "' (HELLO, WELCOME, DATA, PING, PONG, BYE, ACK, ERR)"));
        if (data != null && file != null) {
            throw new CliException(ExitCodes.USAGE, "--data and --file exclude each other");
        }
        byte[] payload;
        if (data != null) {
            payload = data.getBytes(StandardCharsets.UTF_8);
        } else if (file != null) {
            if (!Files.isReadable(file)) {
                throw new CliException(ExitCodes.IO, "cannot read " + file);
            }
            payload = Files.readAllBytes(file);
        } else if (System.console() == null && System.in.available() > 0) {
            payload = System.in.readNBytes(64 * 1024 * 1024);
        } else {
            payload = new byte[0];
        }
        Frame.Builder b = Frame.builder(t);
        for (String h : headers) {
            int eq = h.indexOf('=');
            if (eq <= 0) {
                throw new CliException(ExitCodes.USAGE, "header '" + h + "' is not KEY=VALUE");
            }
            b.header(h.substring(0, eq), h.substring(eq + 1));
        }
        if (ack) {
            b.flag(Flags.REQ_ACK);
        }
        return b.payload(Unpooled.wrappedBuffer(payload)).build();
    }
}
