package io.vstp.cli;

import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import java.io.PrintWriter;
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

/**
 * {@code vstp ls}, {@code stat}, {@code rm} and {@code mv}: the files service's other operations
 * (docs/spec/services.md §3), under the same authorisation rules as put and get (ls and stat read, rm and mv write).
 */
final class RemoteFilesCommands {
    private RemoteFilesCommands() {
    }

    /** One request to the files service on {@code target}, its answer or the server's refusal in the CLI's words. */
    private static Frame request(ClientOptions client, Target target, String op, String path)
            throws Exception {
        return request(client, target, Frame.builder(FrameType.DATA).header("service", FileService.SERVICE)
                .header("op", op).header("path", path));
    }

    private static Frame request(ClientOptions client, Target target, Frame.Builder builder) throws Exception {
        try (Requester requester = Requester.open(client, target, false)) {
            Frame request = builder.build();
            try {
                return requester.request(request).get(client.timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw ClientOptions.translate(VstpCommand.unwrap(e), target);
            } catch (TimeoutException e) {
                throw new CliException(ExitCodes.UNREACHABLE, "no answer from " + target);
            }
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List a remote directory: type, size, name.")
    static final class Ls implements Callable<Integer> {
        @Parameters(paramLabel = "HOST[:PORT][/dir]", description = "Server and directory (default: the root).")
        String where;

        @Option(names = "--json", description = "Print one JSON object: the path and its entries.")
        boolean json;

        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Target target = Target.parse(where);
            String dir = target.path().replaceAll("/+$", "");
            Frame r = request(client, target, "list", dir);
            List<String[]> entries = new ArrayList<>();
            try {
                for (String line : r.payloadAsString().split("\n")) {
                    String[] f = line.split("\t", 3);
                    if (f.length == 3) {
                        entries.add(f);
                    }
                }
            } finally {
                r.release();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                StringBuilder b = new StringBuilder("{\"path\":").append(Json.quote(dir)).append(",\"entries\":[");
                for (int i = 0; i < entries.size(); i++) {
                    String[] e = entries.get(i);
                    b.append(i == 0 ? "" : ",").append("{\"name\":").append(Json.quote(e[2])).append(",\"type\":")
                            .append(e[0].equals("d") ? "\"directory\"" : "\"file\"").append(",\"size\":")
                            .append(e[1]).append('}');
                }
                out.println(b.append("]}"));
            } else {
                for (String[] e : entries) {
                    out.printf("%s %10s  %s%n", e[0], e[0].equals("d") ? "-" : Progress.bytes(Long.parseLong(e[1])),
                            e[2] + (e[0].equals("d") ? "/" : ""));
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "stat", mixinStandardHelpOptions = true, description = "Size and SHA-256 of a remote file.")
    static final class Stat implements Callable<Integer> {
        @Parameters(paramLabel = "HOST[:PORT]/path")
        String where;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Target target = Target.parse(where);
            if (target.path().isEmpty()) {
                throw new CliException(ExitCodes.USAGE, "name a remote file: HOST[:PORT]/path");
            }
            Frame r = request(client, target, "stat", target.path());
            try {
                String size = r.headers().value("size");
                String sha = r.headers().value("sha256");
                spec.commandLine().getOut().println(json
                        ? "{\"path\":" + Json.quote(target.path()) + ",\"size\":" + Long.parseLong(size)
                        + ",\"sha256\":" + Json.quote(sha) + "}"
                        : target.path() + ": " + size + " bytes (" + Progress.bytes(Long.parseLong(size))
                        + "), sha256 " + sha);
            } finally {
                r.release();
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a remote file (never a directory).")
    static final class Rm implements Callable<Integer> {
        @Parameters(paramLabel = "HOST[:PORT]/path")
        String where;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Target target = Target.parse(where);
            if (target.path().isEmpty()) {
                throw new CliException(ExitCodes.USAGE, "name a remote file: HOST[:PORT]/path");
            }
            Frame r = request(client, target, "delete", target.path());
            try {
                long size = Long.parseLong(r.headers().value("size"));
                spec.commandLine().getOut().println(json
                        ? "{\"path\":" + Json.quote(target.path()) + ",\"removed\":true,\"size\":" + size + "}"
                        : "removed " + target.path() + " (" + Progress.bytes(size) + ")");
            } finally {
                r.release();
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "mv", mixinStandardHelpOptions = true, description = "Rename or move a remote file on its "
            + "server (write access to both paths).")
    static final class Mv implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "HOST[:PORT]/path")
        String where;

        @Parameters(index = "1", paramLabel = "NEW-PATH", description = "The new path on the same server.")
        String to;

        @Option(names = "--force", description = "Replace an existing file at NEW-PATH.")
        boolean force;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Target target = Target.parse(where);
            if (target.path().isEmpty() || to.isBlank()) {
                throw new CliException(ExitCodes.USAGE, "name the remote file and its new path: mv HOST/path NEW-PATH");
            }
            String dest = to.endsWith("/") ? to + target.path().substring(target.path().lastIndexOf('/') + 1) : to;
            Frame.Builder b = Frame.builder(FrameType.DATA).header("service", FileService.SERVICE).header("op", "move")
                    .header("path", target.path()).header("to", dest);
            if (force) {
                b.header("overwrite", "true");
            }
            Frame r = request(client, target, b);
            try {
                long size = Long.parseLong(r.headers().value("size"));
                spec.commandLine().getOut().println(json
                        ? "{\"from\":" + Json.quote(target.path()) + ",\"to\":" + Json.quote(dest) + ",\"size\":" + size
                        + "}" : "moved " + target.path() + " -> " + dest + " (" + Progress.bytes(size) + ")");
            } finally {
                r.release();
            }
            return ExitCodes.OK;
        }
    }
}
