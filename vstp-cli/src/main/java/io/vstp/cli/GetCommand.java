package io.vstp.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vstp get}: download a file, resumable and verified end to end. */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = {"Download a file from a server's files service.",
            "Writes to a temporary name, checks the SHA-256, then renames atomically; run it again after an",
            "interruption and it continues from what was already received."})
final class GetCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "HOST[:PORT]/remote-path")
    String source;

    @Parameters(index = "1", arity = "0..1", paramLabel = "FILE", description = "Local file (default: the remote name).")
    Path file;

    @Option(names = "--udp", description = "Over UDP with DTLS (or plaintext UDP with --plain).")
    boolean udp;

    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Target target = Target.parse(source);
        if (target.path().isEmpty() || target.path().endsWith("/")) {
            throw new CliException(ExitCodes.USAGE, "name a remote file: HOST[:PORT]/remote-path");
        }
        String remote = target.path();
        Path local = file != null ? file : Path.of(remote.substring(remote.lastIndexOf('/') + 1));
        if (Files.isDirectory(local)) {
            local = local.resolve(remote.substring(remote.lastIndexOf('/') + 1));
        }
        try (Requester requester = Requester.open(client, target, udp)) {
            Progress progress = new Progress(spec.commandLine().getOut(), 0, 0, Progress.terminal());
            FileTransfer.Result r;
            try {
                r = new FileTransfer(requester).get(remote, local, progress);
            } catch (RuntimeException e) {
                throw ClientOptions.translate(e, target);
            }
            spec.commandLine().getOut().printf("get %s/%s -> %s: %s (%s)%n", target, remote, local, r.summary(),
                    requester.security());
        }
        return ExitCodes.OK;
    }
}
