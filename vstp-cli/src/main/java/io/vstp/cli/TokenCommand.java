package io.vstp.cli;

import io.vstp.security.SecurityOptions;
import io.vstp.security.token.DevTokenIssuer;
import io.vstp.transport.internal.HomeDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vstp token}: issues a JWT signed by the local development key, for servers started with
 * {@code --dev-auth}. DEVELOPMENT ONLY: whoever can read the key file can mint any identity.
 */
@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = {
            "DEVELOPMENT ONLY: print a JWT signed by the local development key (created on first use in "
                    + "the VSTP home), for a server started with 'vstp serve --dev-auth'.",
            "Use it with --token-file or VSTP_TOKEN. Production tokens come from your identity provider."
        })
final class TokenCommand implements Callable<Integer> {
    @Option(names = "--sub", required = true, paramLabel = "SUBJECT", description = "Who the token names (sub).")
    String subject;

    @Option(names = "--role", paramLabel = "ROLE", description = "A role (the 'roles' claim). Repeatable.")
    List<String> roles = new ArrayList<>();

    @Option(
            names = "--ttl",
            paramLabel = "DURATION",
            defaultValue = "1h",
            converter = DurationConverter.class,
            description = "Lifetime (default ${DEFAULT-VALUE}).")
    Duration ttl;

    @Option(
            names = "--issuer",
            defaultValue = DevTokenIssuer.DEFAULT_ISSUER,
            description = "iss (default ${DEFAULT-VALUE}, what --dev-auth expects).")
    String issuer;

    @Option(
            names = "--audience",
            defaultValue = DevTokenIssuer.DEFAULT_AUDIENCE,
            description = "aud (default ${DEFAULT-VALUE}, what --dev-auth expects).")
    String audience;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new CliException(ExitCodes.USAGE, "--ttl must be positive");
        }
        Path home = HomeDirectory.resolve();
        Path dir = home.resolve(SecurityOptions.DEV_DIRECTORY);
        DevTokenIssuer keys = DevTokenIssuer.loadOrCreate(dir.resolve("key.json"));
        keys.writeJwks(dir.resolve("jwks.json"));
        String token = keys.issue(subject, roles, issuer, audience, ttl);
        spec.commandLine().getErr().println("vstp: " + DevTokenIssuer.WARNING);
        spec.commandLine().getOut().println(token);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
