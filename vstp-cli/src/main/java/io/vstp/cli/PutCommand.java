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

/** {@code vstp put}: upload a file, resumable and verified end to end. */
@Command(name = "put", mixinStandardHelpOptions = true,
        description = {"Upload FILE to a server's files service.",
            "Resumes an interrupted upload of the same content; the server checks the SHA-256 and renames the",
            "file into place atomically, so nothing partial is ever visible under its name."})
final class PutCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Parameters(index = "1", paramLabel = "HOST[:PORT][/remote-path]",
            description = "Server and remote path (default: the file's name).")
    String destination;

    @Option(names = "--udp", description = "Over UDP with DTLS (or plaintext UDP with --plain).")
    boolean udp;

    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new CliException(ExitCodes.IO, "cannot read " + file);
        }
        Target target = Target.parse(destination);
        String remote = target.path().isEmpty() ? file.getFileName().toString() : target.path();
        if (remote.endsWith("/")) {
            remote = remote + file.getFileName();
        }
        try (Requester requester = Requester.open(client, target, udp)) {
            Progress progress = new Progress(spec.commandLine().getOut(), Files.size(file), 0, Progress.terminal());
            FileTransfer.Result r;
            try {
                r = new FileTransfer(requester).put(file, remote, progress);
            } catch (RuntimeException e) {
                throw ClientOptions.translate(e, target);
            }
            spec.commandLine().getOut().printf("put %s -> %s/%s: %s (%s)%n", file, target, remote, r.summary(),
                    requester.security());
        }
        return ExitCodes.OK;
    }
}
