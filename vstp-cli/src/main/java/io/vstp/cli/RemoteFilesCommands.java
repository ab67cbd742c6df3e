package io.vstp.cli;

import io.vstp.core.frame.Frame;
import io.vstp.services.Requester;
import io.vstp.services.files.FilesClient;
import io.vstp.services.files.FilesProtocol;
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

/**
 * {@code vstp ls}, {@code stat}, {@code rm} and {@code mv}: the files service's other operations
 * (docs/spec/services.md §3), under the same authorisation rules as put and get (ls and stat read, rm and mv write).
 */
final class RemoteFilesCommands {
    private RemoteFilesCommands() {}

    /** What every one of these commands has: the server and path, {@code --json}, and how to reach the server. */
    abstract static class RemoteFileCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "HOST[:PORT]/path")
        String where;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        /** The target, which must name a path unless {@code rootAllowed}. */
        Target target(boolean rootAllowed) {
            Target target = Target.parse(where);
            if (!rootAllowed && target.path().isEmpty()) {
                throw new CliException(ExitCodes.USAGE, "name a remote file: HOST[:PORT]/path");
            }
            return target;
        }

        /** One files request with {@code op} and {@code path}, and its answer (the caller releases it). */
        Frame request(Target target, String op, String path) throws Exception {
            return request(target, FilesProtocol.request(op, path));
        }

        /** One request to the files service, its answer or the server's refusal in the CLI's words. */
        Frame request(Target target, Frame.Builder builder) throws Exception {
            try (Requester requester = Requesters.open(client, target, false)) {
                try {
                    return requester
                            .request(builder.build())
                            .get(client.timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    throw ClientOptions.translate(VstpCommand.unwrap(e), target);
                } catch (TimeoutException e) {
                    throw new CliException(ExitCodes.UNREACHABLE, "no answer from " + target);
                }
            }
        }

        /** The result: {@code json} with {@code --json}, else {@code human}. */
        void print(String json, String human) {
            spec.commandLine().getOut().println(this.json ? json : human);
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List a remote directory: type, size, name.")
    static final class Ls extends RemoteFileCommand {
        @Override
        public Integer call() throws Exception {
            Target target = target(true);
            String dir = target.path().replaceAll("/+$", "");
            Frame r = request(target, FilesProtocol.LIST, dir);
            List<FilesClient.Entry> entries;
            boolean truncated;
            try {
                entries = FilesClient.parseList(r.payloadAsString());
                truncated = "true".equals(r.headers().value(FilesProtocol.TRUNCATED));
            } finally {
                r.release();
            }
            StringBuilder json =
                    new StringBuilder("{\"path\":").append(Json.quote(dir)).append(",\"entries\":[");
            StringBuilder human = new StringBuilder();
            for (int i = 0; i < entries.size(); i++) {
                FilesClient.Entry e = entries.get(i);
                boolean d = e.directory();
                json.append(i == 0 ? "" : ",")
                        .append("{\"name\":")
                        .append(Json.quote(e.name()))
                        .append(",\"type\":")
                        .append(d ? "\"directory\"" : "\"file\"")
                        .append(",\"size\":")
                        .append(e.size())
                        .append('}');
                human.append(i == 0 ? "" : System.lineSeparator())
                        .append(String.format(
                                "%s %10s  %s",
                                d ? "d" : "f", d ? "-" : Progress.bytes(e.size()), e.name() + (d ? "/" : "")));
            }
            if (truncated) {
                spec.commandLine()
                        .getErr()
                        .println("vstp: warning: " + (dir.isEmpty() ? "the root" : dir) + " holds " + "more than the "
                                + entries.size() + " entries listed");
            }
            if (entries.isEmpty() && !this.json) {
                return ExitCodes.OK; // an empty directory lists nothing
            }
            print(
                    json.append("]")
                            .append(truncated ? ",\"truncated\":true}" : "}")
                            .toString(),
                    human.toString());
            return ExitCodes.OK;
        }
    }

    @Command(name = "stat", mixinStandardHelpOptions = true, description = "Size and SHA-256 of a remote file.")
    static final class Stat extends RemoteFileCommand {
        @Override
        public Integer call() throws Exception {
            Target target = target(false);
            Frame r = request(target, FilesProtocol.STAT, target.path());
            try {
                long size = Long.parseLong(r.headers().value(FilesProtocol.SIZE));
                String sha = r.headers().value(FilesProtocol.SHA256);
                print(
                        "{\"path\":" + Json.quote(target.path()) + ",\"size\":" + size + ",\"sha256\":"
                                + Json.quote(sha) + "}",
                        target.path() + ": " + size + " bytes (" + Progress.bytes(size) + "), sha256 " + sha);
            } finally {
                r.release();
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a remote file (never a directory).")
    static final class Rm extends RemoteFileCommand {
        @Override
        public Integer call() throws Exception {
            Target target = target(false);
            Frame r = request(target, FilesProtocol.DELETE, target.path());
            try {
                long size = Long.parseLong(r.headers().value(FilesProtocol.SIZE));
                print(
                        "{\"path\":" + Json.quote(target.path()) + ",\"removed\":true,\"size\":" + size + "}",
                        "removed " + target.path() + " (" + Progress.bytes(size) + ")");
            } finally {
                r.release();
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "mv",
            mixinStandardHelpOptions = true,
            description = "Rename or move a remote file on its " + "server (write access to both paths).")
    static final class Mv extends RemoteFileCommand {
        @Parameters(index = "1", paramLabel = "NEW-PATH", description = "The new path on the same server.")
        String to;

        @Option(names = "--force", description = "Replace an existing file at NEW-PATH.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            Target target = target(false);
            if (to.isBlank()) {
                throw new CliException(ExitCodes.USAGE, "name the new path: mv HOST/path NEW-PATH");
            }
            String dest = to.endsWith("/")
                    ? to + target.path().substring(target.path().lastIndexOf('/') + 1)
                    : to;
            Frame.Builder b =
                    FilesProtocol.request(FilesProtocol.MOVE, target.path()).header(FilesProtocol.TO, dest);
            if (force) {
                b.header(FilesProtocol.OVERWRITE, "true");
            }
            Frame r = request(target, b);
            try {
                long size = Long.parseLong(r.headers().value(FilesProtocol.SIZE));
                print(
                        "{\"from\":" + Json.quote(target.path()) + ",\"to\":" + Json.quote(dest) + ",\"size\":" + size
                                + "}",
                        "moved " + target.path() + " -> " + dest + " (" + Progress.bytes(size) + ")");
            } finally {
                r.release();
            }
            return ExitCodes.OK;
        }
    }
}
